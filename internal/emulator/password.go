package emulator

import "unicode"

// passwordPolicy checks a password as ASP.NET Identity's default options do
// (at least 8 characters, an upper and a lower case letter and a digit).
func passwordPolicy(p string) []identityError {
	var errs []identityError
	if len([]rune(p)) < 8 {
		errs = append(errs, identityError{"PasswordTooShort", "Passwords must be at least 8 characters."})
	}
	var upper, lower, digit bool
	for _, r := range p {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		}
	}
	if !upper {
		errs = append(errs, identityError{"PasswordRequiresUpper", "Passwords must have at least one uppercase ('A'-'Z')."})
	}
	if !lower {
		errs = append(errs, identityError{"PasswordRequiresLower", "Passwords must have at least one lowercase ('a'-'z')."})
	}
	if !digit {
		errs = append(errs, identityError{"PasswordRequiresDigit", "Passwords must have at least one digit ('0'-'9')."})
	}
	return errs
}
