@SCIM-06
Feature: Deactivating users from Okta
  Unassigning, deactivating or suspending someone in Okta removes them from the
  organization and from its teams. Okta says so with a PATCH that sets active to
  false; it never deletes users.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And an organization "Globex"
    And "ada@acme.test" is a member of "Globex"
    And Okta provisions users and groups to "Acme"
    And the admin has assigned "ada@acme.test" to the app in Okta
    And a group "Engineering" in Okta with "ada@acme.test"
    And the admin pushes the group "Engineering" to the app

  Scenario Outline: The admin <action> someone in Okta
    When the admin <action> "ada@acme.test" in Okta
    Then "ada@acme.test" is not a member of "Acme" at the service provider
    And "ada@acme.test" is in no team of "Acme"
    And Okta deactivated the user with a PATCH setting active to false

    Examples:
      | action      |
      | unassigns   |
      | deactivates |
      | suspends    |
