package openbadges

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// MinStatusListBits is the smallest bitstring the Bitstring Status List v1.0 spec allows
// (16 KiB), so that one holder's index says little about them.
const MinStatusListBits = 131072

type statusListCredential struct {
	Context           []string          `json:"@context"`
	ID                string            `json:"id"`
	Type              []string          `json:"type"`
	Issuer            string            `json:"issuer"`
	ValidFrom         string            `json:"validFrom"`
	CredentialSubject statusListSubject `json:"credentialSubject"`
	Proof             *Proof            `json:"proof,omitempty"`
}

type statusListSubject struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	StatusPurpose string `json:"statusPurpose"`
	EncodedList   string `json:"encodedList"`
}

// StatusList is the signed BitstringStatusListCredential at listURL in which the given
// indexes are revoked, long enough for every index up to size-1 (verifiers refuse an index
// past the end of the list). Its issuer is the same as the credentials' (verifiers check).
func StatusList(iss Issuer, key Key, listURL string, revoked []int, size int, validFrom time.Time) ([]byte, error) {
	if listURL == "" || iss.PublicURL == nil || validFrom.IsZero() {
		return nil, errors.New("openbadges: a status list needs a URL, an issuer and a time")
	}
	list, err := encodeStatusList(revoked, size)
	if err != nil {
		return nil, err
	}
	c := &statusListCredential{
		Context: []string{ContextVC},
		ID:      listURL,
		Type:    []string{"VerifiableCredential", "BitstringStatusListCredential"},
		// The bare DID: the VC context alone (all a status list has) defines no Profile url.
		Issuer:    IssuerDID(iss, key.Public().Key),
		ValidFrom: timestamp(validFrom),
		CredentialSubject: statusListSubject{
			ID: listURL + "#list", Type: "BitstringStatusList", StatusPurpose: "revocation", EncodedList: list,
		},
	}
	return signed(c, key, c.Issuer, validFrom, &c.Proof)
}

// EncodeStatusList is the encodedList of a bitstring with the given bits set: multibase
// base64url without padding ('u') of its GZIP. Bit 0 is the most significant bit of the
// first byte. The list grows past MinStatusListBits, a byte at a time, to hold the largest
// index.
func EncodeStatusList(set []int) (string, error) { return encodeStatusList(set, 0) }

// encodeStatusList is EncodeStatusList for a list of at least bits bits, rounded up to a
// multiple of MinStatusListBits, so that the list's length changes seldom and says little.
func encodeStatusList(set []int, bits int) (string, error) {
	blocks := max(1, (bits+MinStatusListBits-1)/MinStatusListBits)
	size := blocks * MinStatusListBits / 8
	for _, i := range set {
		if i < 0 {
			return "", fmt.Errorf("openbadges: status index %d is negative", i)
		}
		size = max(size, i/8+1)
	}
	list := make([]byte, size)
	for _, i := range set {
		list[i/8] |= 0x80 >> (i % 8)
	}
	var buf bytes.Buffer
	// A fixed header (no name, no time) keeps the same list the same bytes.
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(list); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

// DecodeStatusList reads an encodedList back into its bitstring.
func DecodeStatusList(encoded string) (StatusBits, error) {
	b64, ok := strings.CutPrefix(encoded, "u")
	if !ok {
		return nil, errors.New("openbadges: encodedList is not multibase base64url")
	}
	gz, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("openbadges: encodedList: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("openbadges: encodedList: %w", err)
	}
	bits, err := io.ReadAll(io.LimitReader(zr, 1<<24))
	if err != nil {
		return nil, fmt.Errorf("openbadges: encodedList: %w", err)
	}
	return StatusBits(bits), nil
}

// StatusBits is a decoded status list.
type StatusBits []byte

// Set says whether bit i is set; an index past the list is not.
func (s StatusBits) Set(i int) bool {
	if i < 0 || i/8 >= len(s) {
		return false
	}
	return s[i/8]&(0x80>>(i%8)) != 0
}

// Len is the number of bits in the list.
func (s StatusBits) Len() int { return len(s) * 8 }
