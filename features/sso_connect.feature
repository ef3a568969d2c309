@SSO-01
Feature: Starting the Okta connection
  An admin starts in the service provider's SSO settings. "Connect Okta" creates the
  organization's integration and shows its Integration ID, which the admin then types
  into Okta. The ID names the organization's SAML endpoints, so it must be fresh and
  impossible to guess.

  Scenario: Connecting Okta shows a fresh Integration ID
    Given an organization "Acme"
    When the admin of "Acme" starts connecting Okta
    Then the SSO settings of "Acme" show an Integration ID that is hard to guess
    And the Okta integration of "Acme" is pending

  Scenario: Each organization gets its own Integration ID
    Given an organization "Acme"
    And an organization "Globex"
    When the admin of "Acme" starts connecting Okta
    And the admin of "Globex" starts connecting Okta
    Then "Acme" and "Globex" have different Integration IDs
