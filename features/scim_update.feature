@SCIM-05
Feature: Updating user attributes from Okta
  Profile changes in Okta reach the service provider. As a catalog app, Okta reads
  the user and then replaces it whole.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And Okta provisions users and groups to "Acme"
    And the admin has assigned "ada@acme.test" to the app in Okta

  Scenario Outline: A change of <field> reaches the service provider
    When the admin changes the <field> of "ada@acme.test" to "<value>" in Okta
    Then the service provider shows "ada@acme.test" with <field> "<value>"
    And Okta sent GET /Users/{id}, then PUT /Users/{id}

    Examples:
      | field      | value    |
      | first name | Augusta  |
      | last name  | King     |

  Scenario Outline: A change of <attribute> reaches the SCIM user
    When the admin changes the <change> of "ada@acme.test" to "<value>" in Okta
    Then the SCIM user "ada@acme.test" of "Acme" has <attribute> "<value>"

    Examples:
      | change       | attribute   | value               |
      | display name | displayName | Augusta Ada King    |
      | locale       | locale      | en-GB               |

  Scenario: A custom app sends the update as one PUT
    Given Okta provisions users and groups to "Acme" as a custom app
    When the admin changes the first name of "ada@acme.test" to "Augusta" in Okta
    Then the service provider shows "ada@acme.test" with first name "Augusta"
    And Okta sent GET /Users/{id}, then PUT /Users/{id}
