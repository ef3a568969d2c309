@SCIM-02
Feature: The SCIM token is a secret shown once and good for one organization
  Whoever holds an organization's SCIM token can create and remove its people.
  The service provider shows the token once, when provisioning is turned on, and
  keeps no readable copy. Every SCIM request must carry it: anything else gets a
  401 that a SCIM client can read. A token reaches its own organization's users
  and nobody else's, and a rotated or revoked token stops working at once.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And provisioning is enabled for "Acme"

  Scenario: The token is not shown a second time
    When the admin of "Acme" tries to turn provisioning on again
    Then the service provider does not show the SCIM token of "Acme" again

  Scenario: The service provider keeps no readable copy of the token
    Given "ada@acme.test" is created over SCIM in "Acme"
    Then the service provider keeps no readable copy of the SCIM token of "Acme"

  Scenario Outline: A request <credentials> is refused
    When the users of "Acme" are requested over SCIM <credentials>
    Then the SCIM server refuses with 401
    And the answer asks for a Bearer token

    Examples:
      | credentials                             |
      | without a token                         |
      | with an empty Bearer token              |
      | with a malformed token                  |
      | with its SCIM token altered             |
      | with its SCIM token under another name  |
      | with its SCIM token as a Basic password |

  Scenario Outline: The token of one organization cannot reach a user of another: it <action> nothing
    Given an organization "Globex" whose Okta integration is connected
    And provisioning is enabled for "Globex"
    And "ada@globex.test" is created over SCIM in "Globex"
    When the SCIM client of "Acme" <action> the user "ada@globex.test"
    Then the SCIM server refuses with 404
    And the SCIM user "ada@globex.test" is still active and unchanged

    Examples:
      | action      |
      | reads       |
      | replaces    |
      | deactivates |
      | deletes     |

  Scenario: The token of one organization does not list or find the users of another
    Given an organization "Globex" whose Okta integration is connected
    And provisioning is enabled for "Globex"
    And "ada@globex.test" is created over SCIM in "Globex"
    When the SCIM client of "Acme" lists users with the filter userName eq "ada@globex.test"
    Then the list holds no users
    And the SCIM client of "Acme" does not find "ada@globex.test" among all its users

  Scenario: A user of another organization cannot be put into a group
    Given an organization "Globex" whose Okta integration is connected
    And provisioning is enabled for "Globex"
    And "ada@globex.test" is created over SCIM in "Globex"
    And a group "Engineering" is created over SCIM in "Acme"
    When the SCIM client of "Acme" adds "ada@globex.test" to the group "Engineering"
    Then the SCIM server refuses with a client error
    And the SCIM group "Engineering" has no members

  Scenario: A rotated token stops working at once
    When the admin of "Acme" rotates the SCIM token
    Then the old SCIM token of "Acme" is refused
    And Okta's connection test with the SCIM token of "Acme" succeeds

  Scenario: Turning provisioning off stops the token at once
    When the admin of "Acme" turns provisioning off
    Then the old SCIM token of "Acme" is refused
