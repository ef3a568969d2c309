@PROTO-02
Feature: Lists are ListResponses that page reliably
  Okta reads users and groups page by page: it starts at startIndex 1, asks for a
  count, and moves on by the number it got until it has read totalResults. An
  answer that counts from 0, leaves out "Resources" when nothing matches, or
  changes order between pages makes Okta miss people or import them twice.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And provisioning is enabled for "Acme"

  Scenario: A page of users is a ListResponse
    Given 3 users are created over SCIM in "Acme"
    When the SCIM client of "Acme" sends GET /Users?startIndex=1&count=2
    Then the answer is a ListResponse with totalResults 3, startIndex 1 and 2 resources

  Scenario: A filter that matches nobody gives an empty Resources array
    Given 2 users are created over SCIM in "Acme"
    When the SCIM client of "Acme" lists users with the filter userName eq "nobody@acme.test"
    Then the answer is a ListResponse with totalResults 0, startIndex 1 and 0 resources

  Scenario: An organization without groups lists an empty Resources array
    When the SCIM client of "Acme" sends GET /Groups?startIndex=1&count=100
    Then the answer is a ListResponse with totalResults 0, startIndex 1 and 0 resources

  Scenario: A page past the end is empty but still counts everyone
    Given 3 users are created over SCIM in "Acme"
    When the SCIM client of "Acme" sends GET /Users?startIndex=4&count=2
    Then the answer is a ListResponse with totalResults 3, startIndex 4 and 0 resources

  Scenario: Reading page by page gives every user exactly once
    Given 5 users are created over SCIM in "Acme"
    When the SCIM client of "Acme" reads all users 2 at a time
    Then the users came in 3 pages
    And every user created over SCIM in "Acme" was read exactly once

  Scenario: Pages come in the same order every time
    Given 5 users are created over SCIM in "Acme"
    When the SCIM client of "Acme" reads all users 2 at a time
    Then reading all users of "Acme" 2 at a time again gives the same order
