@SSO-10
Feature: Refusing sign-in responses that cannot be trusted
  The service provider signs nobody in on the strength of a response it cannot
  trust. Each refusal shows the person a plain page, logs the real reason for the
  administrator, and leaves no session behind. Here Okta is made to send one wrong
  thing at a time, end to end, through a real browser.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And "ada@acme.test" is a member of "Acme"
    And "ada@acme.test" is assigned to the app in Okta

  Scenario Outline: A response <problem> is refused
    Given Okta will send responses <problem>
    When "ada@acme.test" opens the app from the Okta dashboard
    Then the service provider refuses the sign-in with a page saying why
    And the service provider logs why it refused the sign-in
    And nobody is signed in to the service provider

    Examples:
      | problem                                             |
      | without a signature                                 |
      | signed by a key that is not the app's               |
      | that have expired                                   |
      | that are not yet valid                              |
      | for another audience                                |
      | addressed to another destination                    |
      | for another recipient                               |
      | from another issuer                                 |
      | answering a request the service provider never made |

  Scenario: A response for an Integration ID the service provider never issued is refused
    Given the app in Okta names an Integration ID the service provider does not know
    And "ada@acme.test" is assigned to the app in Okta
    When "ada@acme.test" opens the app from the Okta dashboard
    Then the service provider refuses the sign-in with a page saying why
    And the service provider logs why it refused the sign-in
    And nobody is signed in to the service provider

  Scenario: Sign-in is refused while Okta sign-in is turned off
    Given the admin of "Acme" turns Okta sign-in off
    When "ada@acme.test" opens the app from the Okta dashboard
    Then the service provider refuses the sign-in with a page saying why
    And the service provider logs why it refused the sign-in
    And nobody is signed in to the service provider
