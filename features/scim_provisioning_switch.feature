@SCIM-01
Feature: Provisioning needs a working Okta connection
  Turning provisioning on lets Okta create, change and remove people in the
  organization. The service provider offers it only once Okta sign-in works: a
  person Okta provisions must be able to sign in, and a half-finished or
  switched-off connection must not become a back door for feeding users in.

  Scenario Outline: Provisioning cannot be turned on while the Okta integration is <state>
    Given an organization "Acme" whose Okta integration is <state>
    When the admin of "Acme" tries to turn provisioning on
    Then the service provider refuses it with a message
    And the service provider shows no SCIM token for "Acme"

    Examples:
      | state                        |
      | configured but not connected |
      | started but not configured   |
      | turned off                   |

  Scenario: Provisioning can be turned on once the Okta integration is connected
    Given an organization "Acme" whose Okta integration is configured but not connected
    And the admin of "Acme" tries to turn provisioning on
    When the Okta integration of "Acme" is marked connected
    And provisioning is enabled for "Acme"
    Then Okta's connection test with the SCIM token of "Acme" succeeds
