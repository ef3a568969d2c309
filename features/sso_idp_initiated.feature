@SSO-07
Feature: Signing in from the Okta dashboard
  People assigned to the app in Okta open it from their Okta dashboard and arrive
  signed in to the service provider, without typing anything there. People who are
  not assigned are stopped at Okta and never reach the service provider.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And "ada@acme.test" is a member of "Acme"

  Scenario: An assigned user opens the app from the Okta dashboard
    Given "ada@acme.test" is assigned to the app in Okta
    When "ada@acme.test" opens the app from the Okta dashboard
    Then "ada@acme.test" is signed in to the service provider as a member of "Acme"

  Scenario: An assigned user opens the app's embed link
    Given "ada@acme.test" is assigned to the app in Okta
    When "ada@acme.test" opens the app's embed link
    Then "ada@acme.test" is signed in to the service provider as a member of "Acme"

  Scenario: A user who is not assigned is stopped at Okta
    When "ada@acme.test" opens the app's embed link
    Then Okta refuses because the user is not assigned to the app
    And nobody is signed in to the service provider
