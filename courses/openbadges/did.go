// Package openbadges turns a course certificate into an Open Badges 3.0 credential
// (W3C Verifiable Credentials 2.0) signed with the school's Ed25519 key: an embedded
// eddsa-rdfc-2022 Data Integrity proof, a BitstringStatusList for revocation, the same
// credential as a VC-JWT, and the school's did:web document and JWKS.
//
// The package is pure: it takes plain inputs and returns bytes; the clock, the keys and
// the URLs come from the caller, so the same input gives the same bytes.
package openbadges

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Key is one of the school's signing keys. ID is its key id (kid): the fragment of its
// verification method under did:web.
type Key struct {
	ID      string
	Private ed25519.PrivateKey
}

// Public is the key's public half, as published.
func (k Key) Public() PublicKey {
	return PublicKey{ID: k.ID, Key: k.Private.Public().(ed25519.PublicKey)}
}

// PublicKey is a published key: every key that signed a credential still valid stays in
// the DID document and the JWKS, so rotating the key does not break old certificates.
type PublicKey struct {
	ID  string
	Key ed25519.PublicKey
}

// Issuer is the school. An https PublicURL makes the issuer did:web (its keys published
// in /.well-known/did.json); any other URL (a laptop, a test) makes it the did:key of the
// signing key, which needs nothing published.
type Issuer struct {
	PublicURL *url.URL
	Name      string
}

// ErrNotDIDWeb is returned for a DID document asked of an issuer that is not did:web.
var ErrNotDIDWeb = errors.New("openbadges: the issuer is not did:web (its public URL is not https)")

func (iss Issuer) web() bool { return iss.PublicURL != nil && iss.PublicURL.Scheme == "https" }

// multicodec ed25519-pub, as an unsigned varint.
var ed25519PubPrefix = []byte{0xed, 0x01}

// Multikey is the publicKeyMultibase of an Ed25519 key: base58btc of the multicodec
// ed25519-pub prefix and the key, "z6Mk…".
func Multikey(pub ed25519.PublicKey) string {
	return "z" + base58Encode(append(append([]byte{}, ed25519PubPrefix...), pub...))
}

// ParseMultikey reads a publicKeyMultibase back into an Ed25519 key.
func ParseMultikey(s string) (ed25519.PublicKey, error) {
	if !strings.HasPrefix(s, "z") {
		return nil, fmt.Errorf("openbadges: multikey %q is not base58btc", s)
	}
	b, err := base58Decode(s[1:])
	if err != nil {
		return nil, fmt.Errorf("openbadges: multikey %q: %w", s, err)
	}
	if len(b) != 2+ed25519.PublicKeySize || b[0] != ed25519PubPrefix[0] || b[1] != ed25519PubPrefix[1] {
		return nil, fmt.Errorf("openbadges: multikey %q is not an Ed25519 public key", s)
	}
	return ed25519.PublicKey(b[2:]), nil
}

// IssuerDID is the school's DID: did:web of its public URL (host, port as %3A, path
// segments as ':'), or the did:key of pub.
func IssuerDID(iss Issuer, pub ed25519.PublicKey) string {
	if !iss.web() {
		return "did:key:" + Multikey(pub)
	}
	did := "did:web:" + strings.ReplaceAll(iss.PublicURL.Host, ":", "%3A")
	for _, seg := range strings.Split(strings.Trim(iss.PublicURL.Path, "/"), "/") {
		if seg != "" {
			did += ":" + url.PathEscape(seg)
		}
	}
	return did
}

// VerificationMethod is the id of a key's verification method: did:web…#kid, or
// did:key:z6Mk…#z6Mk… as the did:key method defines it.
func VerificationMethod(iss Issuer, key PublicKey) string {
	return verificationMethod(IssuerDID(iss, key.Key), key)
}

func verificationMethod(did string, key PublicKey) string {
	if m, ok := strings.CutPrefix(did, "did:key:"); ok {
		return did + "#" + m
	}
	return did + "#" + key.ID
}

// didOf is the DID part of a DID URL.
func didOf(didURL string) string {
	did, _, _ := strings.Cut(didURL, "#")
	return did
}

const (
	contextDID      = "https://www.w3.org/ns/did/v1"
	contextMultikey = "https://w3id.org/security/multikey/v1"
)

type didDocument struct {
	Context            []string    `json:"@context"`
	ID                 string      `json:"id"`
	VerificationMethod []didMethod `json:"verificationMethod"`
	AssertionMethod    []string    `json:"assertionMethod"`
	Authentication     []string    `json:"authentication"`
}

type didMethod struct {
	ID                 string `json:"id"`
	Type               string `json:"type"`
	Controller         string `json:"controller"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
}

// DIDDocument is the school's did:web document, served at /.well-known/did.json (or
// PATH/did.json for a public URL with a path): every key a Multikey, each an
// assertionMethod, so credentials signed by any of them verify.
func DIDDocument(iss Issuer, keys []PublicKey) ([]byte, error) {
	if !iss.web() {
		return nil, ErrNotDIDWeb
	}
	if len(keys) == 0 {
		return nil, errors.New("openbadges: a DID document needs at least one key")
	}
	did := IssuerDID(iss, keys[0].Key)
	doc := didDocument{Context: []string{contextDID, contextMultikey}, ID: did}
	for _, k := range keys {
		if k.ID == "" || len(k.Key) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("openbadges: key %q: no id, or not an Ed25519 public key", k.ID)
		}
		vm := verificationMethod(did, k)
		doc.VerificationMethod = append(doc.VerificationMethod, didMethod{
			ID: vm, Type: "Multikey", Controller: did, PublicKeyMultibase: Multikey(k.Key),
		})
		doc.AssertionMethod = append(doc.AssertionMethod, vm)
		doc.Authentication = append(doc.Authentication, vm)
	}
	return json.MarshalIndent(doc, "", "  ")
}
