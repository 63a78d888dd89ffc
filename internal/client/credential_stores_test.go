package client

import (
	"context"
	"slices"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
)

const storesSeed = `credentialStores:
  - {id: 3, name: CyberArk, type: CyberArk, readOnly: true}
  - {id: 4, name: Key Vault, type: AzureKeyVault}
`

// The credential stores are listed in one GET and read one by one, with
// the scope OR.Settings.Read that only naming their operations asks for.
func TestCredentialStoresListAndGet(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{SeedFile: writeFile(t, "seed.yaml", storesSeed, 0o600), SpecShapes: spec})
		c, err := New(context.Background(), settingsFor(t, s), WithOperations(OpListCredentialStores, OpGetCredentialStore))
		if err != nil {
			t.Fatal(err)
		}
		ctx := testContext(t)
		stores, err := c.CredentialStores.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []CredentialStore{
			{ID: 1, Name: "Orchestrator Database", Type: "Database"},
			{ID: 3, Name: "CyberArk", Type: "CyberArk", ReadOnly: true},
			{ID: 4, Name: "Key Vault", Type: "AzureKeyVault"},
		}
		if !slices.Equal(stores, want) {
			t.Fatalf("List = %+v", stores)
		}
		if n := s.CountFor("GET", "/odata/CredentialStores"); n != 1 {
			t.Fatalf("List cost %d GETs, want 1", n)
		}
		one, err := c.CredentialStores.Get(ctx, 3)
		if err != nil || one != want[1] {
			t.Fatalf("Get(3) = %+v, %v", one, err)
		}
		if _, err := c.CredentialStores.Get(ctx, 99); KindOf(err) != KindNotFound {
			t.Fatalf("Get(99) = %v, want not found", err)
		}

		// The default scopes leave OR.Settings out: the read is refused.
		plain := newTestClient(t, s)
		if _, err := plain.CredentialStores.List(ctx); KindOf(err) != KindForbidden {
			t.Fatalf("List without OR.Settings.Read = %v, want forbidden", err)
		}
	})
}
