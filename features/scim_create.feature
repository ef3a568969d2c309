@SCIM-04
Feature: Creating users by assigning them in Okta
  With provisioning on, assigning someone to the app in Okta creates them in the
  organization. Okta first looks the userName up, then creates the user; a user the
  service provider already has is linked, never duplicated.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And Okta provisions users and groups to "Acme"

  Scenario: Assigning a user creates them in the organization
    When the admin assigns "ada@acme.test" to the app in Okta
    Then "ada@acme.test" is a member of "Acme" at the service provider
    And Okta sent a userName lookup, then POST /Users
    And Okta's provisioning tasks all completed

  Scenario: Someone who already has an account through another organization is attached, not duplicated
    Given an organization "Globex"
    And "ada@acme.test" is a member of "Globex"
    When the admin assigns "ada@acme.test" to the app in Okta
    Then "ada@acme.test" is a member of "Acme" at the service provider
    And "ada@acme.test" is a member of "Globex" at the service provider
    And exactly one SCIM user "ada@acme.test" exists in "Acme"

  Scenario: A user the service provider already knows is linked, not created again
    Given the admin has assigned "ada@acme.test" to the app in Okta
    And the admin unassigns "ada@acme.test" in Okta
    When the admin assigns "ada@acme.test" to the app in Okta
    Then "ada@acme.test" is a member of "Acme" at the service provider
    And Okta sent a userName lookup, then PUT /Users/{id}
    And exactly one SCIM user "ada@acme.test" exists in "Acme"

  Scenario Outline: When the service provider stops accepting the token, Okta shows a failed task
    Given the admin of "Acme" <change>
    When the admin assigns "ada@acme.test" to the app in Okta
    Then Okta shows a failed task for "ada@acme.test" saying the service provider refused the token
    And "ada@acme.test" is not a member of "Acme" at the service provider

    Examples:
      | change                  |
      | rotates the SCIM token  |
      | turns provisioning off  |
