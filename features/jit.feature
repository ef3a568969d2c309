Feature: Just-in-time provisioning
  A team's admin lists the email domains the team pre-approves. Someone from such a
  domain who signs in through Okta for the first time gets an account, joins the
  organization and the team, all at once. Anyone else is turned away, and nothing
  is created for them.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And a team "Engineering" in "Acme" with the pre-approved domain "acme.test"

  @JIT-01
  Scenario: A first sign-in from a pre-approved domain creates the user in the team
    Given "newbie@acme.test" is assigned to the app in Okta
    When "newbie@acme.test" opens the app from the Okta dashboard
    Then "newbie@acme.test" is signed in to the service provider as a member of "Acme"
    And "newbie@acme.test" is a member of the team "Engineering" of "Acme"

  @JIT-01
  Scenario: Signing in again does not create the user twice
    Given "newbie@acme.test" is assigned to the app in Okta
    And "newbie@acme.test" has signed in from the Okta dashboard
    When "newbie@acme.test" signs in with the Sign-in URL of "Acme"
    Then "newbie@acme.test" is signed in to the service provider as a member of "Acme"
    And "newbie@acme.test" is still one member of "Acme"

  @JIT-02
  Scenario: A first sign-in from a domain no team pre-approves is refused
    Given no team of "Acme" pre-approves the domain "elsewhere.test"
    And "stranger@elsewhere.test" is assigned to the app in Okta
    When "stranger@elsewhere.test" opens the app from the Okta dashboard
    Then the service provider refuses the sign-in with a page saying why
    And the refusal tells "stranger@elsewhere.test" to ask their administrator
    And the service provider logs why it refused the sign-in
    And "stranger@elsewhere.test" has no account at the service provider

  @JIT-03
  Scenario: Someone deactivated over SCIM is not brought back by signing in
    Given Okta provisions users and groups to "Acme"
    And the admin has assigned "ada@acme.test" to the app in Okta
    And a SCIM client deactivates "ada@acme.test" in "Acme"
    When "ada@acme.test" opens the app from the Okta dashboard
    Then the service provider refuses the sign-in with a page saying why
    And the service provider logs why it refused the sign-in
    And "ada@acme.test" is not a member of "Acme" at the service provider
    And nobody is signed in to the service provider
