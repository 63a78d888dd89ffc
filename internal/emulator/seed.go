package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"time"
)

var seedEpoch = time.Date(2024, 1, 15, 9, 0, 0, 0, time.UTC)

var firstNames = []string{
	"Ada", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas",
	"Kaja", "Luis", "Maya", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tess",
	"Umar", "Vera", "Wen", "Xenia", "Yusuf", "Zoe",
}

var surnames = []string{
	"Andersen", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Horvat", "Ivanova", "Jensen",
	"Kowalski", "Lindqvist", "Moreau", "Novak", "Okafor", "Popescu", "Quist", "Rossi", "Silva", "Tanaka",
	"Uysal", "Varga", "Weber", "Xu", "Yilmaz", "Zimmermann",
}

// deterministicGUID derives a version-4 shaped GUID from the seed, a kind and
// an index, so that the same seed always yields the same ids.
func deterministicGUID(seed int64, kind string, i int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%d/%s/%d", seed, kind, i))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// lastModified is when generated user i, created at created, was last
// changed: users 1, 4, 5, 8, 9, … were changed a day later; the others never
// were (the zero time), and the API answers lastModificationTime: null for
// them, as Identity does.
func lastModified(i int, created time.Time) time.Time {
	if i%4 < 2 {
		return created.Add(24 * time.Hour)
	}
	return time.Time{}
}

// InitialPassword is the password generated user i starts with.
func InitialPassword(i int) string { return fmt.Sprintf("Initial-Pass-%05d!", i) }

// InitialRobotPassword is the unattended password generated robot j starts with.
func InitialRobotPassword(j int) string { return fmt.Sprintf("Initial-Robot-%03d!", j) }

// generate fills the store with n users and r robot accounts (each with its
// Orchestrator user), deterministically from seed.
// A generated organization also holds the local group Finance; with no
// accounts to generate the organization stays empty (built-in groups only).
func (s *store) generate(seed int64, n, r int) {
	if n+r > 0 {
		s.addGroup(financeGroup, seedEpoch)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	for i := 1; i <= n; i++ {
		first := firstNames[rng.IntN(len(firstNames))]
		last := surnames[rng.IntN(len(surnames))]
		groups := []string{GroupEveryone}
		if i%2 == 1 {
			groups = append(groups, GroupAutomationUsers)
		}
		created := seedEpoch.Add(time.Duration(i) * time.Second)
		u := &user{User: User{
			ID:                   deterministicGUID(seed, "user", i),
			UserName:             fmt.Sprintf("user%05d", i),
			Email:                fmt.Sprintf("user%05d@example.com", i),
			EmailConfirmed:       true,
			Name:                 first,
			Surname:              last,
			DisplayName:          first + " " + last,
			IsActive:             i%10 != 0,
			InvitationAccepted:   true,
			Type:                 "user",
			GroupIDs:             groups,
			LegacyID:             int64(i),
			CreationTime:         created,
			LastModificationTime: lastModified(i, created),
		}, password: InitialPassword(i)}
		s.addUser(u)
	}
	for j := 1; j <= r; j++ {
		created := seedEpoch.Add(time.Duration(j) * time.Minute)
		name := fmt.Sprintf("robot-%03d", j)
		ra := &RobotAccount{
			ID:                   deterministicGUID(seed, "robot", j),
			Name:                 name,
			DisplayName:          fmt.Sprintf("Robot %03d", j),
			GroupIDs:             []string{GroupEveryone, GroupAutomationUsers},
			CreationTime:         created,
			LastModificationTime: created,
		}
		s.addRobot(ra)
		s.addOrchestratorUser(&OrchestratorUser{
			ID:                  int64(1000 + j),
			Key:                 deterministicGUID(seed, "orchestrator-user", j),
			DirectoryIdentifier: ra.ID,
			UserName:            name,
			Name:                name,
			FullName:            ra.DisplayName,
			IsActive:            true,
			Type:                "Robot",
			RolesList:           []string{"Robot"},
			MayHaveUnattended:   true,
			UnattendedRobot: &UnattendedRobot{
				UserName:          fmt.Sprintf(`CORP\svc-robot-%03d`, j),
				CredentialType:    "Default",
				ExecutionSettings: map[string]any{"LoggingLevel": "Information"},
				RobotID:           int64(5000 + j),
			},
			CreationTime:         created,
			LastModificationTime: created,
		}, InitialRobotPassword(j))
	}
}
