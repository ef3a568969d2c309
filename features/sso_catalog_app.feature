@SSO-02
Feature: Adding the app in Okta with the Integration ID
  In Okta the admin adds the service provider's catalog app and types only the
  Integration ID. Everything else the app needs, where to post sign-ins and which
  audience to name, follows from that ID and must agree with the service provider.

  Scenario: The app derives the service provider's URLs from the Integration ID
    Given an organization "Acme"
    And the admin of "Acme" starts connecting Okta
    When the app is added in Okta with the Integration ID of "Acme"
    Then the app in Okta sends sign-ins to the ACS URL that the SSO settings of "Acme" show
    And the app in Okta uses the audience that the SSO settings of "Acme" show
