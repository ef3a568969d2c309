@SSO-05
Feature: Finishing the setup with a round trip through Okta
  "Connect" sends the admin to Okta to sign in. Only when that round trip comes back
  signed, for an admin of the organization, is the integration marked connected;
  until then it stays pending and nobody signs in through it.

  Background:
    Given an organization "Acme" whose Okta integration is configured but not connected
    And "admin@acme.test" is an admin of "Acme"
    And "admin@acme.test" is assigned to the app in Okta

  Scenario: The admin's round trip connects the integration
    When "admin@acme.test" clicks Connect in the SSO settings of "Acme" and signs in at Okta
    Then the Okta integration of "Acme" is connected
    And "admin@acme.test" is signed in to the service provider as a member of "Acme"

  @SSO-10
  Scenario: Nobody signs in through a pending integration
    Given "ada@acme.test" is a member of "Acme"
    And "ada@acme.test" is assigned to the app in Okta
    When "ada@acme.test" opens the app from the Okta dashboard
    Then the service provider refuses the sign-in with a page saying why
    And the service provider logs why it refused the sign-in
    And nobody is signed in to the service provider
    And the Okta integration of "Acme" is pending

  Scenario: A member who is not an admin cannot finish the setup
    Given "ada@acme.test" is a member but not an admin of "Acme"
    And "ada@acme.test" is assigned to the app in Okta
    When "ada@acme.test" clicks Connect in the SSO settings of "Acme" and signs in at Okta
    Then the service provider refuses the sign-in with a page saying why
    And the service provider logs why it refused the sign-in
    And the Okta integration of "Acme" is pending
