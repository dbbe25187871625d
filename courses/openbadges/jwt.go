package openbadges

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// JWT is a credential as a VC-JWT (VC-JOSE-COSE): the credential without its embedded
// proof as the payload, with iss, jti, nbf and exp claims beside it for JWT libraries;
// header alg EdDSA, typ vc+jwt, kid the verification method of key under the credential's
// issuer.
func JWT(key Key, credentialJSON []byte) (string, error) {
	c, err := parseJSON(credentialJSON)
	if err != nil {
		return "", err
	}
	delete(c, "proof")
	iss := issuerID(c)
	if iss == "" {
		return "", errors.New("openbadges: the credential has no issuer")
	}
	c["iss"] = iss
	if id, ok := c["id"].(string); ok {
		c["jti"] = id
	}
	for claim, field := range map[string]string{"nbf": "validFrom", "exp": "validUntil"} {
		if s, ok := c[field].(string); ok {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return "", fmt.Errorf("openbadges: %s: %w", field, err)
			}
			c[claim] = t.Unix()
		}
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: key.Private},
		(&jose.SignerOptions{}).WithType("vc+jwt").WithHeader("kid", verificationMethod(iss, key.Public())))
	if err != nil {
		return "", fmt.Errorf("openbadges: jwt: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("openbadges: jwt: %w", err)
	}
	return jws.CompactSerialize()
}

// JWKS is the school's keys as a JSON Web Key Set for /.well-known/jwks.json, each kid
// the key's verification method, as in the JWTs' headers.
func JWKS(iss Issuer, keys []PublicKey) ([]byte, error) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{
			Key: k.Key, KeyID: VerificationMethod(iss, k), Use: "sig", Algorithm: string(jose.EdDSA),
		})
	}
	return json.MarshalIndent(set, "", "  ")
}
