Feature: Detaching, deleting and re-attaching users
  When Okta deactivates someone, the service provider removes them from this
  organization. Someone who also belongs to another organization keeps their account
  and their other memberships; someone who belongs nowhere else is deleted. Either
  way, reconnecting them through SCIM brings them back, without a duplicate.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And Okta provisions users and groups to "Acme"

  @SCIM-11
  Scenario: A user of several organizations is only detached from this one
    Given an organization "Globex"
    And "ada@acme.test" is a member of "Globex"
    And the admin has assigned "ada@acme.test" to the app in Okta
    When the admin deactivates "ada@acme.test" in Okta
    Then "ada@acme.test" is not a member of "Acme" at the service provider
    And "ada@acme.test" is a member of "Globex" at the service provider
    And "ada@acme.test" has an account at the service provider
    And Okta deactivated the user with a PATCH setting active to false

  @SCIM-12
  Scenario: A user of no other organization is deleted completely
    Given the admin has assigned "grace@acme.test" to the app in Okta
    When the admin deactivates "grace@acme.test" in Okta
    Then "grace@acme.test" is not a member of "Acme" at the service provider
    And "grace@acme.test" has no account at the service provider
    And Okta deactivated the user with a PATCH setting active to false

  @SCIM-13 @SCIM-11
  Scenario: Reactivating a detached user re-adds them
    Given an organization "Globex"
    And "ada@acme.test" is a member of "Globex"
    And the admin has assigned "ada@acme.test" to the app in Okta
    And the admin deactivates "ada@acme.test" in Okta
    When the admin reactivates "ada@acme.test" in Okta
    Then "ada@acme.test" is a member of "Acme" at the service provider
    And Okta sent a PATCH setting active to true
    And "ada@acme.test" is a member of "Globex" at the service provider
    And exactly one SCIM user "ada@acme.test" exists in "Acme"

  @SCIM-13 @SCIM-12
  Scenario: Re-assigning a deleted user brings them back without a duplicate
    Given the admin has assigned "grace@acme.test" to the app in Okta
    And the admin unassigns "grace@acme.test" in Okta
    When the admin assigns "grace@acme.test" to the app in Okta
    Then "grace@acme.test" is a member of "Acme" at the service provider
    And "grace@acme.test" has an account at the service provider
    And Okta sent a userName lookup, then PUT /Users/{id}
    And exactly one SCIM user "grace@acme.test" exists in "Acme"
