@PROTO-01
Feature: SCIM errors are SCIM JSON
  When a provisioning task fails, Okta shows the admin the "detail" of the SCIM
  error it got back. An HTML page or a line of plain text leaves the admin with
  nothing to act on, and a 500 for a request that was simply wrong looks like an
  outage. So every refusal is a SCIM error message (schemas, status as a string,
  detail, and scimType where RFC 7644 defines one) sent as application/scim+json,
  with the status that says what went wrong.

  In requests, {id of ada@acme.test} stands for the id the server gave that user.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And provisioning is enabled for "Acme"
    And "ada@acme.test" is created over SCIM in "Acme"

  Scenario Outline: A new user that is <problem> is refused with 400 <error>
    When the SCIM client of "Acme" sends POST /Users with the body <body>
    Then the SCIM server refuses with 400 <error>

    Examples:
      | problem                           | body                                                                                                        | error                         |
      | not JSON                          | {"userName": "bob@acme.test",                                                                               | invalidSyntax                 |
      | not a JSON object                 | ["bob@acme.test"]                                                                                           | invalidSyntax or invalidValue |
      | without a userName                | {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "name": {"givenName": "Bob"}}                   | invalidValue or invalidSyntax |
      | with a userName that is a number  | {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": 42}                                 | invalidValue or invalidSyntax |
      | with active that is not a boolean | {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bob@acme.test", "active": "maybe"} | invalidValue or invalidSyntax |

  Scenario Outline: Asking for <what> is refused with <status>
    When the SCIM client of "Acme" sends GET <path>
    Then the SCIM server refuses with <status>

    Examples:
      | what                    | path                                         | status |
      | a user that is unknown  | /Users/2819c223-7f76-453a-919d-413861904646  | 404    |
      | a group that is unknown | /Groups/e9e30dba-f08f-4109-8486-d5c6a331660a | 404    |

  Scenario Outline: Odd paging parameters never make the server fail: <query>
    When the SCIM client of "Acme" sends GET /Users?<query>
    Then the SCIM server answers without failing

    Examples:
      | query                                   |
      | startIndex=first&count=2                |
      | startIndex=1&count=many                 |
      | startIndex=-5&count=2                   |
      | startIndex=1&count=-1                   |
      | startIndex=99999999999999999999&count=2 |

  Scenario: A filter the server cannot read is refused with 400 invalidFilter
    When the SCIM client of "Acme" lists users with the filter userName eq
    Then the SCIM server refuses with 400 invalidFilter

  Scenario: A request without a token is refused with 401
    When the users of "Acme" are requested over SCIM without a token
    Then the SCIM server refuses with 401

  Scenario: A second user with the same userName is refused with 409 uniqueness
    When the SCIM client of "Acme" sends POST /Users:
      """json
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
       "userName": "ada@acme.test",
       "name": {"givenName": "Ada", "familyName": "Again"},
       "emails": [{"primary": true, "value": "ada@acme.test", "type": "work"}],
       "active": true}
      """
    Then the SCIM server refuses with 409 uniqueness

  Scenario: A body larger than 1 MiB is refused with 413
    When the SCIM client of "Acme" sends POST /Users with a body larger than 1 MiB
    Then the SCIM server refuses with 413

  Scenario Outline: Wrong input is a client error, never a server failure: <problem>
    When the SCIM client of "Acme" sends <method> <path> with the body <body>
    Then the SCIM server refuses with a client error

    Examples:
      | problem                          | method | path                         | body                                                                                                                                      |
      | operations that are not a list   | PATCH  | /Users/{id of ada@acme.test} | {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": "replace"}                                                   |
      | an operation that does not exist | PATCH  | /Users/{id of ada@acme.test} | {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "explode", "path": "active", "value": false}]}       |
      | a path that does not parse       | PATCH  | /Users/{id of ada@acme.test} | {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "emails[type eq", "value": "x"}]} |
      | a replacement without userName   | PUT    | /Users/{id of ada@acme.test} | {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": ""}                                                               |
      | a group without a name           | POST   | /Groups                      | {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "members": []}                                                               |
      | a group with an unknown member   | POST   | /Groups                      | {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Ops", "members": [{"value": "no-such-user"}]}                |
      | a body that is JSON null         | POST   | /Users                       | null                                                                                                                                      |
