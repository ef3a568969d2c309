@SSO-04
Feature: Configuring SSO by hand
  Instead of the metadata link, the admin may type the IdP's Single Sign-On URL and
  paste its X.509 certificate. Anything malformed is refused with a message, and
  nothing is saved.

  Background:
    Given an organization "Acme"
    And the admin of "Acme" starts connecting Okta
    And the app is added in Okta with the Integration ID of "Acme"

  Scenario: The SSO URL and certificate typed by hand configure the integration
    When the admin of "Acme" types the app's SSO URL and certificate
    Then the integration of "Acme" uses the app's SSO URL, issuer and signing certificate

  Scenario: Sign-in works with an integration configured by hand
    Given the admin of "Acme" types the app's SSO URL and certificate
    And the Okta integration of "Acme" is marked connected
    And "ada@acme.test" is a member of "Acme"
    And "ada@acme.test" is assigned to the app in Okta
    When "ada@acme.test" opens the app from the Okta dashboard
    Then "ada@acme.test" is signed in to the service provider as a member of "Acme"

  Scenario Outline: Malformed input is refused and nothing is saved
    When the admin of "Acme" types <input>
    Then the service provider refuses it with a message
    And the integration of "Acme" is still not configured

    Examples:
      | input                             |
      | an SSO URL that is not a URL      |
      | a certificate that is not PEM     |
      | an expired certificate            |
      | a certificate signed with SHA-1   |
