@SCIM-03
Feature: The userName is the person's email
  The app in Okta uses the application username format "Email": the userName
  Okta sends is the person's email address, and it is how Okta looks a person
  up before creating them. The service provider must treat it as the email of
  the account, and find it whatever the case of its letters, or Okta creates
  duplicates.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And provisioning is enabled for "Acme"

  Scenario: A provisioned person's userName is their email
    When "ada.lovelace@acme.test" is created over SCIM in "Acme"
    Then the SCIM user "ada.lovelace@acme.test" has its email as userName
    And the service provider has an account for the SCIM user "ada.lovelace@acme.test"

  Scenario Outline: Okta finds a person by userName written as <written>
    Given "ada.lovelace@acme.test" is created over SCIM in "Acme"
    When the SCIM client of "Acme" lists users with the filter userName eq "<written>"
    Then the list holds exactly the user "ada.lovelace@acme.test"

    Examples:
      | written                |
      | ada.lovelace@acme.test |
      | ADA.LOVELACE@ACME.TEST |
      | Ada.Lovelace@Acme.Test |
