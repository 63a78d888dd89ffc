// Package emulator is an in-memory UiPath Identity and Orchestrator server on
// loopback HTTP. It issues client-credentials tokens, serves the user, robot
// account and Orchestrator user endpoints the project uses, answers with the
// real services' error shapes, enforces scopes and per-method rolling-window
// budgets, and injects latency, server errors and dropped connections on
// request. Tests drive it over HTTP and read its state through the Go API or
// the read-only /_emulator endpoints.
//
// It deliberately shares no code with the project's API client, so that the
// two cannot agree on a mistake.
//
// Decisions where the real service leaves room:
//   - An unknown identity id answers 404 with ASP.NET problem details
//     ({"type","title":"Not Found","status":404,"traceId"}).
//   - Orchestrator PATCH and PUT on Users({key}) answer 200 with an empty
//     body, as orchestrator.yaml documents.
//   - Budgets apply to every API request (Identity and Orchestrator) of the
//     organization, per HTTP method; token requests and /_emulator are free.
//   - Orchestrator PUT resets every field the body omits except Id, Key,
//     Type and CreationTime, which are read-only.
package emulator
