package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// odataFields are the properties a $filter may compare on one entity
// type: the Edm.Int64 Id and some strings.
type odataFields[T any] struct {
	typeName string // e.g. UiPath.Server.Configuration.OData.UserDto
	id       func(*T) int64
	text     map[string]func(*T) string
}

// orchestratorUserFields are the UserDto properties a $filter compares.
var orchestratorUserFields = odataFields[OrchestratorUser]{
	typeName: "UiPath.Server.Configuration.OData.UserDto",
	id:       func(o *OrchestratorUser) int64 { return o.ID },
	text: map[string]func(*OrchestratorUser) string{
		"UserName":     func(o *OrchestratorUser) string { return o.UserName },
		"EmailAddress": func(o *OrchestratorUser) string { return o.EmailAddress },
		"Name":         func(o *OrchestratorUser) string { return o.Name },
		"Surname":      func(o *OrchestratorUser) string { return o.Surname },
		"FullName":     func(o *OrchestratorUser) string { return o.FullName },
		"Type":         func(o *OrchestratorUser) string { return o.Type },
	},
}

// parseODataFilter understands the filters the project sends: a single
// comparison "Field eq 'text'" (OData quoting, ” escapes ') or "Id eq N".
// String comparisons ignore case, as the service's database collation does.
func parseODataFilter[T any](filter string, fields odataFields[T]) (func(*T) bool, error) {
	filter = strings.TrimSpace(filter)
	if filter == "" {
		return func(*T) bool { return true }, nil
	}
	field, rest, ok := strings.Cut(filter, " ")
	rest = strings.TrimSpace(rest)
	op, literal, ok2 := strings.Cut(rest, " ")
	if !ok || !ok2 || op != "eq" {
		return nil, fmt.Errorf("unsupported $filter %q: use Field eq 'value'", filter)
	}
	literal = strings.TrimSpace(literal)
	if field == "Id" {
		n, err := strconv.ParseInt(literal, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("$filter: %q is not an Edm.Int64 literal", literal)
		}
		return func(it *T) bool { return fields.id(it) == n }, nil
	}
	value, err := odataString(literal)
	if err != nil {
		return nil, err
	}
	get := fields.text[field]
	if get == nil {
		return nil, fmt.Errorf("could not find a property named '%s' on type '%s'", field, fields.typeName)
	}
	return func(it *T) bool { return strings.EqualFold(get(it), value) }, nil
}

// odataString reads a quoted OData string literal.
func odataString(lit string) (string, error) {
	if len(lit) < 2 || lit[0] != '\'' || lit[len(lit)-1] != '\'' {
		return "", fmt.Errorf("$filter: %s is not a quoted string literal", lit)
	}
	inner := lit[1 : len(lit)-1]
	var b strings.Builder
	for i := 0; i < len(inner); i++ {
		if inner[i] == '\'' {
			if i+1 >= len(inner) || inner[i+1] != '\'' {
				return "", errors.New("$filter: unescaped quote in string literal (write '' for ')")
			}
			i++
		}
		b.WriteByte(inner[i])
	}
	return b.String(), nil
}

// userDelta is a parsed Orchestrator UserDto body: nil means absent.
type userDelta struct {
	userName, name, surname, fullName, email, domain *string
	isActive, mayHaveUnattended                      *bool
	rolesList                                        *[]string
	unattendedGiven                                  bool
	unattended                                       *UnattendedRobot
	unattendedPassword                               string
	// serverComputed: the UnattendedRobot carried RobotId or
	// MachineMappingsCount, which the server computes and ignores.
	serverComputed bool
	// given names the properties the body carried, sorted, an
	// UnattendedRobot's as "UnattendedRobot.UserName": what an audit
	// record says was asked for (never a value).
	given []string
}

// Properties of UserDto that are read-only or not emulated: accepted and
// ignored, like the deprecated top-level Password.
var ignoredUserProperties = map[string]bool{
	"Id": true, "Key": true, "Type": true, "CreationTime": true, "LastModificationTime": true,
	"LastLoginTime": true, "TenantId": true, "TenancyName": true, "TenantDisplayName": true, "TenantKey": true,
	"Password": true, "DirectoryIdentifier": true, "AuthenticationSource": true, "IsExternalLicensed": true,
	"UserRoles": true, "LoginProviders": true, "OrganizationUnits": true, "ProvisionType": true,
	"LicenseType": true, "RobotProvision": true, "NotificationSubscription": true, "MayHaveUserSession": true,
	"MayHaveRobotSession": true, "MayHavePersonalWorkspace": true, "RestrictToPersonalWorkspace": true,
	"UpdatePolicy": true, "AccountId": true, "HasOnlyInheritedPrivileges": true,
	"ExplicitMayHaveUserSession": true, "ExplicitMayHaveRobotSession": true,
	"ExplicitMayHavePersonalWorkspace": true, "ExplicitRestrictToPersonalWorkspace": true,
	"LastModifierUserId": true, "CreatorUserId": true,
}

func unknownProperty(name, typ string) error {
	return fmt.Errorf("The property '%s' does not exist on type '%s'. Make sure to only use property names that are defined by the type or mark the type as open type.", name, typ)
}

func wrongType(name, edm string, raw json.RawMessage) error {
	return fmt.Errorf("Cannot convert the literal '%s' to the expected type '%s' (property '%s').", strings.Trim(string(raw), `"`), edm, name)
}

// parseUserDelta reads a PATCH/PUT body. Property names are case-sensitive,
// as in OData: a camelCase body is refused.
func parseUserDelta(body []byte) (*userDelta, error) {
	var props map[string]json.RawMessage
	if err := json.Unmarshal(body, &props); err != nil {
		return nil, errors.New("The request body is not a valid JSON object: " + err.Error())
	}
	d := &userDelta{given: []string{}}
	for name, raw := range props {
		if strings.HasPrefix(name, "@") || ignoredUserProperties[name] {
			continue
		}
		d.given = append(d.given, name)
		if name == "UnattendedRobot" {
			var inner map[string]json.RawMessage
			if json.Unmarshal(raw, &inner) == nil {
				for n := range inner {
					if !strings.HasPrefix(n, "@") {
						d.given = append(d.given, "UnattendedRobot."+n)
					}
				}
			}
		}
		var err error
		switch name {
		case "UserName":
			d.userName, err = rawString(name, raw)
		case "Name":
			d.name, err = rawString(name, raw)
		case "Surname":
			d.surname, err = rawString(name, raw)
		case "FullName":
			d.fullName, err = rawString(name, raw)
		case "EmailAddress":
			d.email, err = rawString(name, raw)
		case "Domain":
			d.domain, err = rawString(name, raw)
		case "IsActive":
			d.isActive, err = rawBool(name, raw)
		case "MayHaveUnattendedSession":
			d.mayHaveUnattended, err = rawBool(name, raw)
		case "RolesList":
			var roles []string
			if json.Unmarshal(raw, &roles) != nil {
				err = wrongType(name, "Collection(Edm.String)", raw)
			}
			d.rolesList = &roles
		case "UnattendedRobot":
			d.unattendedGiven = true
			d.unattended, d.unattendedPassword, d.serverComputed, err = parseUnattended(raw)
		default:
			err = unknownProperty(name, "UiPath.Server.Configuration.OData.UserDto")
		}
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(d.given)
	return d, nil
}

// odataProps reads the JSON object body into the pointers of fields, by
// property name as OData matches it (case-sensitively): "@" annotations
// are skipped, a nil pointer accepts and ignores its property (read-only
// ones), and a property fields lacks is refused, naming typeName.
func odataProps(body []byte, typeName string, fields map[string]any) error {
	var props map[string]json.RawMessage
	if err := json.Unmarshal(body, &props); err != nil || props == nil {
		return errors.New("The request body is not a valid JSON object.")
	}
	for name, raw := range props {
		if strings.HasPrefix(name, "@") {
			continue
		}
		dst, known := fields[name]
		if !known {
			return unknownProperty(name, typeName)
		}
		if dst == nil {
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return fmt.Errorf("Cannot read the value %s of property '%s' on type '%s'.", raw, name, typeName)
		}
	}
	return nil
}

func rawString(name string, raw json.RawMessage) (*string, error) {
	var s *string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, wrongType(name, "Edm.String", raw)
	}
	if s == nil {
		empty := ""
		s = &empty
	}
	return s, nil
}

func rawBool(name string, raw json.RawMessage) (*bool, error) {
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, wrongType(name, "Edm.Boolean", raw)
	}
	return &b, nil
}

var credentialTypes = map[string]bool{"Default": true, "SmartCard": true, "NCipher": true, "SafeNet": true, "NoCredential": true}

// parseUnattended reads an UnattendedRobot object; null removes it.
// serverComputed tells whether it carried RobotId or MachineMappingsCount:
// their types are checked, their values ignored (the server computes
// them).
func parseUnattended(raw json.RawMessage) (ur *UnattendedRobot, password string, serverComputed bool, err error) {
	if strings.TrimSpace(string(raw)) == "null" {
		return nil, "", false, nil
	}
	var props map[string]json.RawMessage
	if err := json.Unmarshal(raw, &props); err != nil {
		return nil, "", false, wrongType("UnattendedRobot", "UiPath.Server.Configuration.OData.UnattendedRobotDto", raw)
	}
	ur = &UnattendedRobot{}
	for name, v := range props {
		if strings.HasPrefix(name, "@") {
			continue
		}
		var err error
		switch name {
		case "UserName":
			var s *string
			s, err = rawString(name, v)
			if err == nil {
				ur.UserName = *s
			}
		case "Password":
			var s *string
			s, err = rawString(name, v)
			if err == nil {
				password = *s
			}
		case "CredentialType":
			var s *string
			s, err = rawString(name, v)
			// null leaves the type to the server; "" is not in the enum.
			if err == nil && strings.TrimSpace(string(v)) != "null" && !credentialTypes[*s] {
				err = fmt.Errorf("The value '%s' is not a valid CredentialType.", *s)
			}
			if err == nil {
				ur.CredentialType = *s
			}
		case "CredentialExternalName":
			var s *string
			s, err = rawString(name, v)
			if err == nil {
				ur.CredentialExternalName = *s
			}
		case "CredentialStoreId":
			var id *int64
			if json.Unmarshal(v, &id) != nil {
				err = wrongType(name, "Edm.Int64", v)
			}
			ur.CredentialStoreID = id
		case "ExecutionSettings":
			var m map[string]any
			if json.Unmarshal(v, &m) != nil {
				err = wrongType(name, "Edm.Untyped", v)
			}
			ur.ExecutionSettings = m
		case "LimitConcurrentExecution":
			var b *bool
			b, err = rawBool(name, v)
			if err == nil {
				ur.LimitConcurrentExecution = *b
			}
		case "RobotId", "MachineMappingsCount":
			serverComputed = true
			var n *int64
			if json.Unmarshal(v, &n) != nil {
				err = wrongType(name, "Edm.Int64", v)
			}
		default:
			err = unknownProperty(name, "UiPath.Server.Configuration.OData.UnattendedRobotDto")
		}
		if err != nil {
			return nil, "", false, err
		}
	}
	if len(ur.UserName) > 100 || len(password) > 100 {
		return nil, "", false, errors.New("UnattendedRobot.UserName and UnattendedRobot.Password take at most 100 characters.")
	}
	return ur, password, serverComputed, nil
}

// apply writes the delta into o; passwords holds unattended passwords by key.
func (d *userDelta) apply(o *OrchestratorUser, passwords map[int64]string) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&o.UserName, d.userName)
	set(&o.Name, d.name)
	set(&o.Surname, d.surname)
	set(&o.FullName, d.fullName)
	set(&o.EmailAddress, d.email)
	set(&o.Domain, d.domain)
	if d.isActive != nil {
		o.IsActive = *d.isActive
	}
	if d.mayHaveUnattended != nil {
		o.MayHaveUnattended = *d.mayHaveUnattended
	}
	if d.rolesList != nil {
		o.RolesList = *d.rolesList
	}
	if d.unattendedGiven {
		o.UnattendedRobot = d.unattended
		if d.unattended == nil {
			delete(passwords, o.ID)
		} else {
			passwords[o.ID] = d.unattendedPassword
		}
	}
}
