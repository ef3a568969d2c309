@SSO-06
Feature: An admin who is not assigned to the app cannot finish the setup
  The guide warns: assign your own user to the app in Okta, or you won't be able to
  finish the setup. Okta refuses to issue an assertion for someone who is not
  assigned, so the round trip never comes back and the integration stays pending.

  Scenario: Okta stops an unassigned admin and the integration stays pending
    Given an organization "Acme" whose Okta integration is configured but not connected
    And "admin@acme.test" is an admin of "Acme"
    When "admin@acme.test" clicks Connect in the SSO settings of "Acme" and signs in at Okta
    Then Okta refuses because the user is not assigned to the app
    And nobody is signed in to the service provider
    And the Okta integration of "Acme" is pending
