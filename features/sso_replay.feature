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

  Scenario: A response answering a request the service provider never made is refused
    Given Okta will send responses answering a request the service provider never made
    When "ada@acme.test" signs in with the Sign-in URL of "Acme"
    Then the service provider refuses the sign-in with a page saying why
    And the service provider logs why it refused the sign-in
    And nobody is signed in to the service provider

  Scenario: A response to a sign-in started here is accepted
    When "ada@acme.test" signs in with the Sign-in URL of "Acme"
    Then "ada@acme.test" is signed in to the service provider as a member of "Acme"
