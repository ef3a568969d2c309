Feature: Pushing Okta groups to teams
  Each group pushed from Okta becomes a team of the organization, with those of its
  members who are assigned to the app. Membership changes and renames follow. The
  guide warns that unlinking a pushed group with "delete the group in the target
  app" deletes the team and everything it owns.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And Okta provisions users and groups to "Acme"
    And the admin has assigned "ada@acme.test" to the app in Okta
    And the admin has assigned "grace@acme.test" to the app in Okta
    And a group "Engineering" in Okta with "ada@acme.test", "grace@acme.test" and "bob@acme.test"

  @SCIM-08
  Scenario: Pushing a group creates a team with the members assigned to the app
    When the admin pushes the group "Engineering" to the app
    Then "Acme" has a team "Engineering" with exactly "ada@acme.test" and "grace@acme.test"
    And Okta sent a displayName lookup, then POST /Groups, then a PATCH renaming the group, then a PATCH adding members
    And Okta's provisioning tasks all completed

  @SCIM-09
  Scenario: Adding a member in Okta adds them to the team
    Given the admin has assigned "linus@acme.test" to the app in Okta
    And the admin pushes the group "Engineering" to the app
    When the admin adds "linus@acme.test" to the group "Engineering" in Okta
    Then "Acme" has a team "Engineering" with exactly "ada@acme.test", "grace@acme.test" and "linus@acme.test"
    And Okta sent a PATCH renaming the group, then a PATCH adding members

  @SCIM-09
  Scenario: Removing a member in Okta removes them from the team
    Given the admin pushes the group "Engineering" to the app
    When the admin removes "grace@acme.test" from the group "Engineering" in Okta
    Then "Acme" has a team "Engineering" with exactly "ada@acme.test"
    And Okta sent a PATCH renaming the group, then a PATCH removing a member

  @SCIM-09
  Scenario: Emptying the group in Okta empties the team
    Given the admin pushes the group "Engineering" to the app
    And the admin removes "ada@acme.test" from the group "Engineering" in Okta
    And the admin removes "grace@acme.test" from the group "Engineering" in Okta
    When the admin pushes the group "Engineering" again now
    Then "Acme" has a team "Engineering" with exactly nobody
    And Okta sent a PATCH renaming the group, then a PATCH replacing members

  @SCIM-09
  Scenario: Pushing again replaces the team's members with the group's
    Given the admin pushes the group "Engineering" to the app
    When the admin pushes the group "Engineering" again now
    Then "Acme" has a team "Engineering" with exactly "ada@acme.test" and "grace@acme.test"
    And Okta sent a PATCH renaming the group, then a PATCH replacing members

  @SCIM-09
  Scenario: Renaming the group renames the team, and the same rename again changes nothing
    Given the admin pushes the group "Engineering" to the app
    When the admin renames the group "Engineering" to "Platform" in Okta
    Then "Acme" has a team "Platform" with exactly "ada@acme.test" and "grace@acme.test"
    And "Acme" has no team "Engineering"
    And Okta sent a PATCH renaming the group
    When the admin pushes the group "Platform" again now
    Then "Acme" has a team "Platform" with exactly "ada@acme.test" and "grace@acme.test"

  @SCIM-10
  Scenario: Unlinking with "delete the group in the target app" deletes the team and its resources
    Given the admin pushes the group "Engineering" to the app
    And the team "Engineering" of "Acme" owns the monitor "API uptime"
    When the admin unlinks the pushed group "Engineering" and deletes it in the target app
    Then "Acme" has no team "Engineering"
    And the monitor "API uptime" of the team "Engineering" of "Acme" is gone
    And the audit log of "Acme" records that the team "Engineering" was deleted
    And "ada@acme.test" is a member of "Acme" at the service provider
    And Okta sent DELETE /Groups/{id}

  @SCIM-10
  Scenario: Unlinking and leaving the group keeps the team and its resources
    Given the admin pushes the group "Engineering" to the app
    And the team "Engineering" of "Acme" owns the monitor "API uptime"
    When the admin unlinks the pushed group "Engineering" and leaves it in the target app
    Then "Acme" has a team "Engineering" with exactly "ada@acme.test" and "grace@acme.test"
    And the monitor "API uptime" of the team "Engineering" of "Acme" is still there
    And Okta sent nothing to the service provider
