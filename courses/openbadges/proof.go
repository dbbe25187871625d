package openbadges

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

const (
	proofType   = "DataIntegrityProof"
	cryptosuite = "eddsa-rdfc-2022"
	purpose     = "assertionMethod"
)

// ErrInvalidProof is returned when a proof is missing, malformed or does not verify.
var ErrInvalidProof = errors.New("openbadges: invalid proof")

// Proof is an embedded Data Integrity proof.
type Proof struct {
	Type               string `json:"type"`
	Cryptosuite        string `json:"cryptosuite"`
	Created            string `json:"created"`
	VerificationMethod string `json:"verificationMethod"`
	ProofPurpose       string `json:"proofPurpose"`
	ProofValue         string `json:"proofValue,omitempty"`
}

// timestamp is the XML Schema dateTime the credentials use: UTC, whole seconds.
func timestamp(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

// hashData is SHA-256(canonical proof options) ‖ SHA-256(canonical document), per
// "Data Integrity EdDSA Cryptosuites v1.0", eddsa-rdfc-2022 "Hashing". The proof options
// are the proof without its proofValue, given the document's @context ("Proof
// Configuration").
func hashData(unsecured, proof map[string]any) ([]byte, error) {
	opts := make(map[string]any, len(proof)+1)
	for k, v := range proof {
		if k != "proofValue" {
			opts[k] = v
		}
	}
	opts["@context"] = unsecured["@context"]
	canonOpts, err := canonicalize(opts)
	if err != nil {
		return nil, fmt.Errorf("proof options: %w", err)
	}
	canonDoc, err := canonicalize(unsecured)
	if err != nil {
		return nil, err
	}
	h1, h2 := sha256.Sum256([]byte(canonOpts)), sha256.Sum256([]byte(canonDoc))
	return append(h1[:], h2[:]...), nil
}

// asMap is v as JSON-LD processing reads it.
func asMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return parseJSON(b)
}

// sign returns the proof of an unsecured document (its JSON, without proof).
func sign(unsecuredJSON []byte, key Key, vm string, created time.Time) (Proof, error) {
	doc, err := parseJSON(unsecuredJSON)
	if err != nil {
		return Proof{}, err
	}
	p := Proof{Type: proofType, Cryptosuite: cryptosuite, Created: timestamp(created), VerificationMethod: vm, ProofPurpose: purpose}
	pm, err := asMap(p)
	if err != nil {
		return Proof{}, err
	}
	data, err := hashData(doc, pm)
	if err != nil {
		return Proof{}, err
	}
	p.ProofValue = "z" + base58Encode(ed25519.Sign(key.Private, data))
	return p, nil
}

// Verify checks a document's eddsa-rdfc-2022 proof. resolve gives the public key of the
// proof's verification method (from Aula's own keys, or a DID document); the method must
// belong to the document's issuer.
func Verify(doc []byte, resolve func(verificationMethod string) (ed25519.PublicKey, error)) error {
	m, err := parseJSON(doc)
	if err != nil {
		return err
	}
	raw, ok := m["proof"].(map[string]any)
	if !ok {
		return fmt.Errorf("%w: no single embedded proof", ErrInvalidProof)
	}
	delete(m, "proof")
	var p Proof
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidProof, err)
	}
	if p.Type != proofType || p.Cryptosuite != cryptosuite || p.ProofPurpose != purpose {
		return fmt.Errorf("%w: not a %s %s proof for %s", ErrInvalidProof, p.Type, cryptosuite, purpose)
	}
	if issuer := issuerID(m); issuer == "" || didOf(p.VerificationMethod) != issuer {
		return fmt.Errorf("%w: verification method %q is not the issuer's (%q)", ErrInvalidProof, p.VerificationMethod, issuer)
	}
	if !strings.HasPrefix(p.ProofValue, "z") {
		return fmt.Errorf("%w: proofValue is not base58btc", ErrInvalidProof)
	}
	sig, err := base58Decode(p.ProofValue[1:])
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: proofValue is not an Ed25519 signature", ErrInvalidProof)
	}
	pub, err := resolve(p.VerificationMethod)
	if err != nil {
		return fmt.Errorf("openbadges: verification method %s: %w", p.VerificationMethod, err)
	}
	data, err := hashData(m, raw)
	if err != nil {
		return err
	}
	if !ed25519.Verify(pub, data, sig) {
		return fmt.Errorf("%w: the signature does not match", ErrInvalidProof)
	}
	return nil
}

func issuerID(doc map[string]any) string {
	switch v := doc["issuer"].(type) {
	case string:
		return v
	case map[string]any:
		s, _ := v["id"].(string)
		return s
	}
	return ""
}

// ResolveDIDKey resolves a did:key verification method by reading the key in it.
func ResolveDIDKey(vm string) (ed25519.PublicKey, error) {
	did, frag, _ := strings.Cut(vm, "#")
	m, ok := strings.CutPrefix(did, "did:key:")
	if !ok || frag != m {
		return nil, fmt.Errorf("openbadges: %q is not a did:key verification method", vm)
	}
	return ParseMultikey(m)
}

// ResolveKeys resolves the verification methods of the given keys of an issuer.
func ResolveKeys(iss Issuer, keys []PublicKey) func(string) (ed25519.PublicKey, error) {
	return func(vm string) (ed25519.PublicKey, error) {
		for _, k := range keys {
			if VerificationMethod(iss, k) == vm {
				return k.Key, nil
			}
		}
		return nil, fmt.Errorf("openbadges: no key for %s", vm)
	}
}
