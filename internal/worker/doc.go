// Package worker schedules work: a fixed pool of workers fed by one producer
// and drained by one emitter (RunPool), retries after the server's Retry-After or
// else a full-jitter backoff (Retry),
// and one limiter shared by every worker that keeps each key (the client's
// service and method) inside its rolling-window budget and learns budgets
// nobody told it (Limiter).
//
// It knows neither CSV nor UiPath, and of HTTP only that status 429 (as
// Limiter.Observe is told it) means too many requests: keys are plain
// strings, budgets come from the caller, and errors are classified through
// small interfaces (Retryable, OutcomeUnknown, RetryAfter) that the client's
// errors implement.
package worker
