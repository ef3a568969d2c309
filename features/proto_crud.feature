@PROTO-05
Feature: Create, read, replace and delete answer with the statuses Okta expects
  Okta keeps the id a create returns and uses it for every later request, so a
  create must answer 201 with the whole resource, its id and its Location. It
  reads with GET and updates with PUT (200), deletes pushed groups (204), treats
  404 as "gone" and 409 on create as a failed task that needs an admin.

  In requests, {id of ada@acme.test} and {id of Engineering} stand for the ids
  the server gave that user and that group.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And provisioning is enabled for "Acme"

  Scenario: Creating a user answers 201 with the whole user and its Location
    When the SCIM client of "Acme" sends POST /Users:
      """json
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
       "userName": "ada@acme.test",
       "name": {"givenName": "Ada", "familyName": "Lovelace"},
       "emails": [{"primary": true, "value": "ada@acme.test", "type": "work"}],
       "displayName": "Ada Lovelace",
       "locale": "en-US",
       "externalId": "00u1ada7lovelace0x7",
       "groups": [],
       "password": "Random-0kta-Pa55",
       "active": true}
      """
    Then the SCIM server answers 201 with the new user and its Location
    And the answer does not show the password
    And the new user can be read back at its Location

  Scenario: Creating a group answers 201 with the group and its Location
    When the SCIM client of "Acme" sends POST /Groups:
      """json
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
       "displayName": "Engineering",
       "members": []}
      """
    Then the SCIM server answers 201 with the new group and its Location
    And the new group can be read back at its Location

  Scenario: Reading a user answers 200
    Given "ada@acme.test" is created over SCIM in "Acme"
    When the SCIM client of "Acme" sends GET /Users/{id of ada@acme.test}
    Then the SCIM server answers 200 with the user "ada@acme.test"

  Scenario: Replacing a user with the whole user answers 200
    Given "ada@acme.test" is created over SCIM in "Acme"
    When the SCIM client of "Acme" sends PUT /Users/{id of ada@acme.test}:
      """json
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
       "id": "{id of ada@acme.test}",
       "userName": "ada@acme.test",
       "name": {"givenName": "Ada", "familyName": "Byron"},
       "emails": [{"primary": true, "value": "ada@acme.test", "type": "work"}],
       "displayName": "Ada Byron",
       "locale": "en-US",
       "active": true}
      """
    Then the SCIM server answers 200 with the user "ada@acme.test"
    And the SCIM user "ada@acme.test" has name.familyName equal to "Byron"

  Scenario: Replacing a group answers 200
    Given "ada@acme.test" is created over SCIM in "Acme"
    And a group "Engineering" is created over SCIM in "Acme"
    When the SCIM client of "Acme" sends PUT /Groups/{id of Engineering}:
      """json
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
       "id": "{id of Engineering}",
       "displayName": "Engineering",
       "members": [{"value": "{id of ada@acme.test}"}]}
      """
    Then the SCIM server answers 200 with the group "Engineering"
    And the SCIM group "Engineering" has exactly the member "ada@acme.test"

  Scenario: Deleting a group answers 204 and the group is gone
    Given a group "Engineering" is created over SCIM in "Acme"
    When the SCIM client of "Acme" sends DELETE /Groups/{id of Engineering}
    Then the SCIM server answers 204
    And the SCIM group "Engineering" is gone

  Scenario Outline: <method> of an unknown <kind> answers 404
    When the SCIM client of "Acme" sends <method> <path>
    Then the SCIM server refuses with 404

    Examples:
      | method | kind  | path                                         |
      | GET    | user  | /Users/2819c223-7f76-453a-919d-413861904646  |
      | DELETE | user  | /Users/2819c223-7f76-453a-919d-413861904646  |
      | GET    | group | /Groups/e9e30dba-f08f-4109-8486-d5c6a331660a |
      | DELETE | group | /Groups/e9e30dba-f08f-4109-8486-d5c6a331660a |

  Scenario Outline: <method> of an unknown <kind> answers 404
    When the SCIM client of "Acme" sends <method> <path> with the body <body>
    Then the SCIM server refuses with 404

    Examples:
      | method | kind  | path                                         | body                                                                                                                          |
      | PUT    | user  | /Users/2819c223-7f76-453a-919d-413861904646  | {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "nobody@acme.test"}                                   |
      | PATCH  | user  | /Users/2819c223-7f76-453a-919d-413861904646  | {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "value": {"active": false}}]} |
      | PUT    | group | /Groups/e9e30dba-f08f-4109-8486-d5c6a331660a | {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Nobody"}                                         |
      | PATCH  | group | /Groups/e9e30dba-f08f-4109-8486-d5c6a331660a | {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": "members", "value": []}]} |

  Scenario: Creating a second user with the same userName answers 409 and keeps the first
    Given "ada@acme.test" is created over SCIM in "Acme"
    When the SCIM client of "Acme" sends POST /Users:
      """json
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
       "userName": "ada@acme.test",
       "name": {"givenName": "Another", "familyName": "Ada"},
       "emails": [{"primary": true, "value": "ada@acme.test", "type": "work"}],
       "active": true}
      """
    Then the SCIM server refuses with 409 uniqueness
    And the SCIM user "ada@acme.test" is still active and unchanged
