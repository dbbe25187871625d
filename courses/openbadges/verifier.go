package openbadges

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// The handlers tests check Aula's credentials with the Digital Credentials Consortium's
// verifier, run by handlers/testdata/dcc-verifier/verify.mjs (README.md there). What
// follows builds its command line and reads its answer, so those tests need no JSON of
// their own; running node is theirs.

// VerifierResult is what verify.mjs prints.
type VerifierResult struct {
	Mode       string          `json:"mode"`      // credential or jwt
	Verified   bool            `json:"verified"`  // the overall verdict (also the exit code: 0 verified, 1 not)
	Signature  string          `json:"signature"` // credential: valid, invalid or error
	Expired    *bool           `json:"expired"`   // credential: nil when not checked (a fatal error came first)
	Revocation string          `json:"revocation"`
	Errors     []VerifierError `json:"errors"`
	Fetched    []string        `json:"fetched"` // URLs served from local files
	Refused    []string        `json:"refused"` // URLs asked for and answered 404
	Header     map[string]any  `json:"header"`  // jwt
	Payload    map[string]any  `json:"payload"` // jwt
}

// Revocation values of a VerifierResult.
const (
	RevocationNone       = "none" // the credential has no credentialStatus
	RevocationNotRevoked = "not_revoked"
	RevocationRevoked    = "revoked"
	RevocationError      = "error" // the status list could not be had or checked
)

// VerifierError is one error verifier-core (or jose) reported.
type VerifierError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

// ParseVerifierResult reads verify.mjs's standard output.
func ParseVerifierResult(stdout []byte) (VerifierResult, error) {
	var r VerifierResult
	if err := json.Unmarshal(stdout, &r); err != nil {
		return r, fmt.Errorf("openbadges: verifier output: %w", err)
	}
	return r, nil
}

// VerifierCredentialArgs is the argument list of verify.mjs for a credential file, docs
// mapping URLs (a status list credential, a DID document's did:web URL) to local files.
func VerifierCredentialArgs(script, credentialFile string, docs map[string]string) []string {
	args := []string{script, "credential", credentialFile}
	urls := make([]string, 0, len(docs))
	for u := range docs {
		urls = append(urls, u)
	}
	slices.Sort(urls)
	for _, u := range urls {
		args = append(args, "--doc", u+"="+docs[u])
	}
	return args
}

// VerifierJWTArgs is the argument list of verify.mjs for a VC-JWT file and a JWKS file;
// a non-empty issuer must be the JWT's iss.
func VerifierJWTArgs(script, jwtFile, jwksFile, issuer string) []string {
	args := []string{script, "jwt", jwtFile, "--jwks", jwksFile}
	if issuer != "" {
		args = append(args, "--issuer", issuer)
	}
	return args
}

// DIDWebURL is where a did:web DID's document is fetched, per the did:web method:
// https://host/.well-known/did.json, or https://host/path/did.json.
func DIDWebURL(did string) (string, error) {
	rest, ok := strings.CutPrefix(did, "did:web:")
	if !ok || rest == "" {
		return "", fmt.Errorf("openbadges: %q is not a did:web DID", did)
	}
	parts := strings.Split(rest, ":")
	for i, p := range parts {
		s, err := url.PathUnescape(p)
		if err != nil {
			return "", fmt.Errorf("openbadges: %q: %w", did, err)
		}
		parts[i] = s
	}
	path := ".well-known"
	if len(parts) > 1 {
		path = strings.Join(parts[1:], "/")
	}
	return "https://" + parts[0] + "/" + path + "/did.json", nil
}
