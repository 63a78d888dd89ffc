package report

// Code is a failed or skipped row's error code (error_code in results.csv):
// a stable vocabulary, part of the report contract. Every code is listed
// once, in codes below, with what it means; the README's error-code table
// is checked against that list.
type Code string

// The error codes: the first ones classify UiPath's answers (or their
// absence), the others are decided by batch itself.
const (
	CodeValidation     Code = "validation"
	CodePasswordPolicy Code = "password_policy"
	CodeWrongPassword  Code = "wrong_password"
	CodeNotFound       Code = "not_found"
	CodeForbidden      Code = "forbidden"
	CodeUnauthorized   Code = "unauthorized"
	CodeRateLimited    Code = "rate_limited"
	CodeServerError    Code = "server_error"
	CodeNetwork        Code = "network"
	CodeOutcomeUnknown Code = "outcome_unknown"
	CodeConflict       Code = "conflict"
	CodeBadRequest     Code = "bad_request"
	CodeNotRun         Code = "not_run"
	CodeSecret         Code = "secret"
	CodeJournal        Code = "journal"
	CodeCancelled      Code = "cancelled"
)

// codes lists every code once, in the order of the README's table, with
// what it means there.
var codes = []struct {
	code    Code
	meaning string
}{
	{CodeValidation, "the server refused a value (`validation_errors` says which, field by field), or the row does not fit its account (an email or user name beside a `user_id` that the account does not hold)"},
	{CodePasswordPolicy, "the new password does not meet the organization's password policy"},
	{CodeWrongPassword, "`change_password`: the old password is not the user's"},
	{CodeNotFound, "the target, or a group the row names, does not exist"},
	{CodeForbidden, "the application lacks the scope or the Orchestrator role the request needs"},
	{CodeUnauthorized, "UiPath refused the credentials: the run stops"},
	{CodeRateLimited, "429 answers (too many requests) through `--max-attempts`"},
	{CodeServerError, "a 5xx answer (502, 503 and 504 through `--max-attempts`)"},
	{CodeNetwork, "no answer from the server (connection refused or dropped, timed out), through `--max-attempts`"},
	{CodeOutcomeUnknown, "the request was sent but its outcome could not be established: look at that account"},
	{CodeConflict, "the request clashes with the account's state (a duplicate), or a name matches several accounts or groups"},
	{CodeBadRequest, "the server refused the request without naming a field"},
	{CodeNotRun, "decided by `batch`: the run stopped before the row (or before its write left); `--resume` runs it"},
	{CodeSecret, "decided by `batch`: a secret reference could not be resolved or recorded; nothing was sent"},
	{CodeJournal, "decided by `batch`: the row's intent could not be recorded in the journal; nothing was sent"},
	{CodeCancelled, "decided by `batch`: the run stopped the row before anything of it was sent; the report shows such a row as `skipped` with `not_run`"},
}
