@SSO-09
Feature: Each response answers one request, once
  A SAML response is a bearer token: whoever holds it could try to use it. The
  service provider accepts each assertion once, on every replica, and accepts a
  response to an SP-initiated sign-in only if it answers a request it made.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And "ada@acme.test" is a member of "Acme"
    And "ada@acme.test" is assigned to the app in Okta

  Scenario: A captured response cannot be used again
    Given "ada@acme.test" has signed in from the Okta dashboard
    When someone else posts the response Okta sent for "ada@acme.test" again
    Then the service provider refuses the sign-in with a page saying why
    And the service provider logs why it refused the sign-in
    And the replayed response signs nobody in
