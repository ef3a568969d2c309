@SSO-08
Feature: Signing in from the service provider
  People can start at the service provider: its Sign-in URL sends the browser to
  Okta with an authentication request, and after signing in there they come back
  signed in, on the page they first asked for. Only pages of the service provider
  itself can be asked for, so the Sign-in URL cannot send anyone elsewhere.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And "ada@acme.test" is a member of "Acme"
    And "ada@acme.test" is assigned to the app in Okta

  Scenario: Signing in with the Sign-in URL
    When "ada@acme.test" signs in with the Sign-in URL of "Acme"
    Then "ada@acme.test" is signed in to the service provider as a member of "Acme"
    And "ada@acme.test" lands on "/" at the service provider

  Scenario: The person lands on the page they asked for
    When "ada@acme.test" signs in with the Sign-in URL of "Acme" asking for "/?section=monitors"
    Then "ada@acme.test" is signed in to the service provider as a member of "Acme"
    And "ada@acme.test" lands on "/?section=monitors" at the service provider

  Scenario Outline: A page elsewhere is never where the person lands
    When "ada@acme.test" signs in with the Sign-in URL of "Acme" asking for "<page>"
    Then "ada@acme.test" is signed in to the service provider as a member of "Acme"
    And "ada@acme.test" lands on "/" at the service provider

    Examples:
      | page                     |
      | https://evil.test/       |
      | //evil.test/path         |
      | /\evil.test              |
      | javascript:alert(1)      |

  Scenario: Someone not assigned to the app is stopped at Okta
    Given "grace@acme.test" is a member of "Acme"
    When "grace@acme.test" signs in with the Sign-in URL of "Acme"
    Then Okta refuses because the user is not assigned to the app
    And nobody is signed in to the service provider
