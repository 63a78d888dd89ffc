package manifest

import (
	"strings"
	"unicode/utf8"
)

// AssetNameMax is the longest asset name Orchestrator keeps (AssetDto.Name
// has maxLength 256).
const AssetNameMax = 256

// credentialUsernameMax is the longest user name Orchestrator keeps for a
// credential asset (AssetDto.CredentialUsername has maxLength 512).
const credentialUsernameMax = 512

// assetTargetOnly keeps, of the target-like cells of a set_credential_asset
// row, its asset_name: another target column beside it is a field the op
// does not take. A robot or user named there most likely means the robot's
// or user's value of the asset, which value_for names.
func (b *jobBuilder) assetTargetOnly(job *Job, spec opSpec, found []*rawCell) []*rawCell {
	kept := found[:0]
	for _, c := range found {
		if c.col == ColAssetName {
			kept = append(kept, c)
			continue
		}
		b.problemAt(c.line, c.col, "%s does not take %s (it takes: %s)%s", job.Op, c.col, spec.fieldList(), notTakenHint(job.Op, c.col))
	}
	return kept
}

// valueFor reads a value_for cell: one robot or user name, trimmed.
func (b *jobBuilder) valueFor(c *rawCell) string {
	if c.isList {
		b.problemAt(c.line, c.col, "%s must be a single robot or user name, not a list: give each robot's or user's value its own row", c.col)
		return ""
	}
	return strings.TrimSpace(c.value)
}

// credentialUsername reads a credential_username cell: the user name
// taken as written (trimmed unless the cell was marked as exact text), at
// most credentialUsernameMax characters.
func (b *jobBuilder) credentialUsername(c *rawCell) *string {
	v := b.text(c)
	if v != nil && utf8.RuneCountInString(*v) > credentialUsernameMax {
		b.problemAt(c.line, c.col, "%s %q is longer than %d characters, the longest user name Orchestrator keeps for a credential asset", c.col, printable(*v), credentialUsernameMax)
		return nil
	}
	return v
}
