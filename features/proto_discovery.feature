@PROTO-06
Feature: The discovery endpoints tell the truth
  /ServiceProviderConfig, /ResourceTypes and /Schemas describe the server to
  SCIM clients and to the people integrating with it. Okta does not read them,
  but other clients and tools do, and a description that claims what the server
  does not do sends them down the wrong path. They are read-only: writing to
  them is refused with 405.

  Background:
    Given an organization "Acme" whose Okta integration is connected
    And provisioning is enabled for "Acme"
    And "ada@acme.test" is created over SCIM in "Acme"

  Scenario: The service provider configuration says what is supported
    When the SCIM client of "Acme" sends GET /ServiceProviderConfig
    Then the SCIM server answers 200
    And the answer has the schema "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
    And the configuration says PATCH and filtering are supported
    And the configuration names Bearer token authentication
    And what the configuration says about bulk is true
    And what the configuration says about ETags is true

  Scenario: The resource types are Users and Groups
    When the SCIM client of "Acme" sends GET /ResourceTypes
    Then the SCIM server answers 200
    And the resource types include "User" at "/Users" and "Group" at "/Groups"

  Scenario: The schemas describe the users and groups the server returns
    When the SCIM client of "Acme" sends GET /Schemas
    Then the SCIM server answers 200
    And the schemas describe the User attributes userName, name, emails, displayName and active
    And the schemas describe the Group attributes displayName and members
    And every attribute the server returns for "ada@acme.test" is described in the schemas

  Scenario Outline: <method> <endpoint> is refused with 405
    When the SCIM client of "Acme" sends <method> <endpoint> with the body {}
    Then the SCIM server refuses with 405
    And the answer allows GET but not <method>

    Examples:
      | method | endpoint               |
      | POST   | /ServiceProviderConfig |
      | PUT    | /ServiceProviderConfig |
      | PATCH  | /ServiceProviderConfig |
      | DELETE | /ServiceProviderConfig |
      | POST   | /ResourceTypes         |
      | PUT    | /ResourceTypes         |
      | PATCH  | /ResourceTypes         |
      | DELETE | /ResourceTypes         |
      | POST   | /Schemas               |
      | PUT    | /Schemas               |
      | PATCH  | /Schemas               |
      | DELETE | /Schemas               |
