@SCIM-07
Feature: Syncing passwords from Okta
  With Sync Password on, the password Okta sends becomes the person's password at
  the service provider: stored hashed, never shown, and good for signing in.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And Okta provisions users and groups to "Acme"
    And the admin has assigned "ada@acme.test" to the app in Okta

  Scenario: A password set in Okta signs the person in at the service provider
    When the admin sets the password of "ada@acme.test" to "Correct-Horse-9" in Okta
    Then Okta sent a PATCH setting the password
    And "ada@acme.test" can sign in to the service provider with the password "Correct-Horse-9"
    And the SCIM user "ada@acme.test" of "Acme" shows no password
