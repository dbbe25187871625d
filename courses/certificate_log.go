package courses

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"
)

// CertificateAction is what an issuance log entry records.
type CertificateAction string

const (
	ActionIssue    CertificateAction = "issue"
	ActionReissue  CertificateAction = "reissue" // the new certificate; the old one's entry is a revoke
	ActionRevoke   CertificateAction = "revoke"
	ActionUnrevoke CertificateAction = "unrevoke"
)

// LogEntry is one entry of the tamper-evident issuance log. Each entry's hash covers the
// previous entry's hash, so changing, removing or inserting any entry breaks every link after
// it; an issue's entry also holds the digest and signature of what was signed.
type LogEntry struct {
	Seq       int64             `json:"seq"`
	Action    CertificateAction `json:"action"`
	Code      string            `json:"code"`
	ActorID   int64             `json:"actor_id"` // 0: Aula itself, on completion
	Reason    string            `json:"reason"`
	At        time.Time         `json:"at"`
	Digest    []byte            `json:"digest"`    // of the certificate's canonical facts
	KeyID     string            `json:"key_id"`    // issue and reissue
	Signature []byte            `json:"signature"` // issue and reissue
	Prev      []byte            `json:"-"`
	Hash      []byte            `json:"-"`
}

// GenesisHash is the "previous hash" of the log's first entry.
var GenesisHash = make([]byte, sha256.Size)

// ComputeHash is SHA-256 over the previous hash and the entry's canonical JSON.
func (e LogEntry) ComputeHash() []byte {
	e.At = e.At.UTC().Truncate(time.Microsecond) // what PostgreSQL keeps
	// An empty digest or signature hashes the same however it was read back.
	if len(e.Digest) == 0 {
		e.Digest = nil
	}
	if len(e.Signature) == 0 {
		e.Signature = nil
	}
	b, err := json.Marshal(e)
	if err != nil {
		panic(err)
	}
	h := sha256.New()
	h.Write(e.Prev)
	h.Write(b)
	return h.Sum(nil)
}

// ChainBreak says where the log stops being what was written.
type ChainBreak struct {
	Seq    int64
	Reason string
}

func (b ChainBreak) Error() string { return fmt.Sprintf("entry %d: %s", b.Seq, b.Reason) }

// CheckChain walks entries in order and returns the first broken link, or nil.
func CheckChain(entries []LogEntry) *ChainBreak {
	prev := GenesisHash
	for i, e := range entries {
		if i > 0 && e.Seq <= entries[i-1].Seq {
			return &ChainBreak{e.Seq, "out of order"}
		}
		if !bytes.Equal(e.Prev, prev) {
			return &ChainBreak{e.Seq, "does not follow the entry before it"}
		}
		if !bytes.Equal(e.ComputeHash(), e.Hash) {
			return &ChainBreak{e.Seq, "its contents do not match its hash"}
		}
		prev = e.Hash
	}
	return nil
}
