@PROTO-03
Feature: The filters Okta uses find exactly what they name
  Before creating anyone Okta asks whether they already exist, with an "eq"
  filter on userName; it finds groups by displayName the same way. A filter the
  server does not understand must be refused with invalidFilter: answering with
  the full list instead makes Okta link the wrong person or believe a group
  exists when it does not.

  In filters, {id of ada@acme.test} and {externalId of ada@acme.test} stand for
  what the server and Okta hold for that user.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And provisioning is enabled for "Acme"
    And "ada@acme.test" is created over SCIM in "Acme"
    And "bob@acme.test" is created over SCIM in "Acme"

  Scenario Outline: A user is found with <filter>
    When the SCIM client of "Acme" lists users with the filter <filter>
    Then the list holds exactly the user "ada@acme.test"

    Examples:
      | filter                                        |
      | userName eq "ada@acme.test"                   |
      | userName eq "ADA@Acme.Test"                   |
      | externalId eq "{externalId of ada@acme.test}" |
      | emails.value eq "ada@acme.test"               |
      | id eq "{id of ada@acme.test}"                 |

  Scenario: A group is found by its displayName
    Given a group "Engineering" is created over SCIM in "Acme"
    And a group "Sales" is created over SCIM in "Acme"
    When the SCIM client of "Acme" lists groups with the filter displayName eq "Engineering"
    Then the list holds exactly the group "Engineering"

  Scenario Outline: A filter that does not parse is refused: <filter>
    When the SCIM client of "Acme" lists users with the filter <filter>
    Then the SCIM server refuses with 400 invalidFilter

    Examples:
      | filter                          |
      | userName zz "ada@acme.test"     |
      | userName eq "ada@acme.test      |
      | (userName eq "ada@acme.test"    |
      | userName eq "ada@acme.test" and |

  Scenario Outline: A filter the server may not support is refused or answered exactly: <filter>
    When the SCIM client of "Acme" lists users with the filter <filter>
    Then the filter is refused with 400 invalidFilter or matches nobody

    Examples:
      | filter                                      |
      | title co "no such title"                    |
      | nickName pr                                 |
      | userName sw "nobody"                        |
      | meta.lastModified gt "2999-01-01T00:00:00Z" |
