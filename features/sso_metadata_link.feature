@SSO-03
Feature: Configuring SSO from Okta's metadata link
  The admin copies the app's SHA-2 metadata link from Okta and pastes it into the
  service provider, which fetches it and takes the IdP's entity ID, SSO URL and
  signing certificate from it. A link that cannot be trusted is refused with a
  message, and nothing is saved.

  Background:
    Given an organization "Acme"
    And the admin of "Acme" starts connecting Okta
    And the app is added in Okta with the Integration ID of "Acme"

  Scenario: The app's metadata link configures the integration
    When the admin of "Acme" pastes the app's metadata link
    Then the integration of "Acme" uses the app's SSO URL, issuer and signing certificate
    And the Okta integration of "Acme" is pending

  Scenario Outline: A link that cannot be trusted is refused and nothing is saved
    When the admin of "Acme" pastes <link>
    Then the service provider refuses it with a message
    And the integration of "Acme" is still not configured

    Examples:
      | link                                                      |
      | a link that is not a URL                                  |
      | a link to a host that does not answer                     |
      | a link to a page that is not SAML metadata                |
      | the metadata link of an app whose certificate has expired |
      | a metadata link whose certificate is signed with SHA-1    |
