@PROTO-04
Feature: PATCH accepts the shapes Okta sends
  Okta deactivates, reactivates and sets passwords with a PATCH whose replace
  operation has no path and an object value, and pushes group membership with
  "add" members that carry no type, "remove" with a value filter in the path and
  no value, and "replace" of all members, down to none. Servers that accept only
  the textbook forms leave people active after they left, or teams that never
  change. Each PATCH is answered with 200 and the resource, or with 204.

  In requests, {id of ada@acme.test} and {id of Engineering} stand for the ids
  the server gave that user and that group.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And provisioning is enabled for "Acme"
    And "ada@acme.test" is created over SCIM in "Acme"

  Scenario: Deactivating with a path-less replace
    When the SCIM client of "Acme" sends PATCH /Users/{id of ada@acme.test}:
      """json
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "value": {"active": false}}]}
      """
    Then the SCIM server answers 200 with the user, or 204
    And the SCIM user "ada@acme.test" is inactive

  Scenario: Reactivating with a path-less replace
    Given "ada@acme.test" has been deactivated over SCIM in "Acme"
    When the SCIM client of "Acme" sends PATCH /Users/{id of ada@acme.test}:
      """json
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "value": {"active": true}}]}
      """
    Then the SCIM server answers 200 with the user, or 204
    And the SCIM user "ada@acme.test" is active

  Scenario: Setting a password with a path-less replace
    When the SCIM client of "Acme" sends PATCH /Users/{id of ada@acme.test}:
      """json
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "value": {"password": "Okta-synced-Pa55"}}]}
      """
    Then the SCIM server answers 200 with the user, or 204
    And the answer does not show the password
    And the SCIM user "ada@acme.test" is active

  Scenario Outline: Replacing <path> with a path
    When the SCIM client of "Acme" sends PATCH /Users/{id of ada@acme.test}:
      """json
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "<path>", "value": <value>}]}
      """
    Then the SCIM server answers 200 with the user, or 204
    And the SCIM user "ada@acme.test" has <path> equal to <value>

    Examples:
      | path            | value       |
      | active          | false       |
      | name.familyName | "Byron"     |
      | displayName     | "Ada Byron" |
      | locale          | "fr-FR"     |

  Scenario: Adding members without a type
    Given "bob@acme.test" is created over SCIM in "Acme"
    And a group "Engineering" is created over SCIM in "Acme"
    When the SCIM client of "Acme" sends PATCH /Groups/{id of Engineering}:
      """json
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "add", "path": "members", "value": [
         {"value": "{id of ada@acme.test}", "display": "ada@acme.test"},
         {"value": "{id of bob@acme.test}", "display": "bob@acme.test"}]}]}
      """
    Then the SCIM server answers 200 with the group, or 204
    And the SCIM group "Engineering" has exactly the members "ada@acme.test" and "bob@acme.test"

  Scenario: Removing a member with a value filter and no value
    Given "bob@acme.test" is created over SCIM in "Acme"
    And a group "Engineering" with the members "ada@acme.test" and "bob@acme.test" is created over SCIM in "Acme"
    When the SCIM client of "Acme" sends PATCH /Groups/{id of Engineering}:
      """json
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "remove", "path": "members[value eq \"{id of ada@acme.test}\"]"}]}
      """
    Then the SCIM server answers 200 with the group, or 204
    And the SCIM group "Engineering" has exactly the member "bob@acme.test"

  Scenario: Replacing all members with a full list
    Given "bob@acme.test" is created over SCIM in "Acme"
    And "cyd@acme.test" is created over SCIM in "Acme"
    And a group "Engineering" with the members "ada@acme.test" and "bob@acme.test" is created over SCIM in "Acme"
    When the SCIM client of "Acme" sends PATCH /Groups/{id of Engineering}:
      """json
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "members", "value": [
         {"value": "{id of bob@acme.test}", "display": "bob@acme.test"},
         {"value": "{id of cyd@acme.test}", "display": "cyd@acme.test"}]}]}
      """
    Then the SCIM server answers 200 with the group, or 204
    And the SCIM group "Engineering" has exactly the members "bob@acme.test" and "cyd@acme.test"

  Scenario: Emptying a group by replacing its members with an empty list
    Given a group "Engineering" with the member "ada@acme.test" is created over SCIM in "Acme"
    When the SCIM client of "Acme" sends PATCH /Groups/{id of Engineering}:
      """json
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "members", "value": []}]}
      """
    Then the SCIM server answers 200 with the group, or 204
    And the SCIM group "Engineering" has no members

  Scenario: Renaming a group with a path-less replace of its id and displayName
    Given a group "Engineering" with the member "ada@acme.test" is created over SCIM in "Acme"
    When the SCIM client of "Acme" sends PATCH /Groups/{id of Engineering}:
      """json
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "value": {"id": "{id of Engineering}", "displayName": "Platform"}}]}
      """
    Then the SCIM server answers 200 with the group, or 204
    And the SCIM group "Engineering" is named "Platform"
    And the SCIM group "Engineering" has exactly the member "ada@acme.test"
