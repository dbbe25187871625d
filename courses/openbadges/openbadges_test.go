package openbadges

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// testKey is a fixed key, so the tests' credentials are the same bytes every run.
func testKey(id string, seed byte) Key {
	s := bytes.Repeat([]byte{seed}, ed25519.SeedSize)
	return Key{ID: id, Private: ed25519.NewKeyFromSeed(s)}
}

func webIssuer(t *testing.T) Issuer {
	t.Helper()
	u, err := url.Parse("https://aula.example")
	if err != nil {
		t.Fatal(err)
	}
	return Issuer{PublicURL: u, Name: "Escuela de Seguridad Ciudadana"}
}

func testBadge() Badge {
	return Badge{
		CredentialID:      "3f1c2b9e-7a4d-4c1e-9b8a-2d6f0e5a1c37",
		Code:              "7KQ2-M9XP",
		HolderName:        "María José Núñez",
		HolderEmail:       "Maria.Nunez@example.org",
		Language:          "es",
		CourseSlug:        "primeros-auxilios",
		CourseTitle:       "Primeros auxilios en la vía pública",
		CourseDescription: "Actuación ante emergencias: valoración, RCP y señalización.",
		Hours:             12,
		Criteria:          "Completó todos los módulos y aprobó el examen final con 8/10 o más.",
		VerifyURL:         "https://aula.example/certificados/7KQ2-M9XP",
		ValidFrom:         time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC),
		StatusListURL:     "https://aula.example/status/1",
		StatusIndex:       42,
	}
}

func mustCredential(t *testing.T, iss Issuer, key Key, b Badge) []byte {
	t.Helper()
	doc, err := Credential(iss, key, b)
	if err != nil {
		t.Fatalf("Credential: %v", err)
	}
	return doc
}

func TestCredentialProofVerifies(t *testing.T) {
	key := testKey("k1a2b3c4d5e6f7a8", 1)
	local := Issuer{PublicURL: &url.URL{Scheme: "http", Host: "localhost:8080"}, Name: "Aula (dev)"}
	tests := []struct {
		name    string
		iss     Issuer
		resolve func(string) (ed25519.PublicKey, error)
		did     string
	}{
		{"did:web", webIssuer(t), ResolveKeys(webIssuer(t), []PublicKey{key.Public()}), "did:web:aula.example"},
		{"did:key", local, ResolveDIDKey, "did:key:" + Multikey(key.Public().Key)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := mustCredential(t, tt.iss, key, testBadge())
			if err := Verify(doc, tt.resolve); err != nil {
				t.Fatalf("Verify: %v\n%s", err, doc)
			}
			var c map[string]any
			if err := json.Unmarshal(doc, &c); err != nil {
				t.Fatal(err)
			}
			if got := c["issuer"].(map[string]any)["id"]; got != tt.did {
				t.Errorf("issuer id = %v, want %v", got, tt.did)
			}
			proof := c["proof"].(map[string]any)
			if vm := proof["verificationMethod"].(string); !strings.HasPrefix(vm, tt.did+"#") {
				t.Errorf("verificationMethod %s is not under %s", vm, tt.did)
			}
			if proof["created"] != "2026-12-01T10:00:00Z" || c["validFrom"] != "2026-12-01T10:00:00Z" {
				t.Errorf("created %v, validFrom %v: want 2026-12-01T10:00:00Z", proof["created"], c["validFrom"])
			}
		})
	}
}

// TestCredentialTamperedFieldFails changes one field of a signed credential at a time.
func TestCredentialTamperedFieldFails(t *testing.T) {
	iss, key := webIssuer(t), testKey("k1", 1)
	resolve := ResolveKeys(iss, []PublicKey{key.Public()})
	doc := mustCredential(t, iss, key, testBadge())
	tests := []struct {
		name   string
		tamper func(c map[string]any)
	}{
		{"name", func(c map[string]any) { c["name"] = "Otro curso" }},
		{"validFrom", func(c map[string]any) { c["validFrom"] = "2025-12-01T10:00:00Z" }},
		{"added validUntil", func(c map[string]any) { c["validUntil"] = "2027-12-01T10:00:00Z" }},
		{"issuer name", func(c map[string]any) { c["issuer"].(map[string]any)["name"] = "Otra escuela" }},
		{"holder name", func(c map[string]any) { c["credentialSubject"].(map[string]any)["name"] = "Otra persona" }},
		{"identity hash", func(c map[string]any) {
			c["credentialSubject"].(map[string]any)["identifier"].([]any)[0].(map[string]any)["identityHash"] = IdentityHash("x@example.org", "s")
		}},
		{"criteria", func(c map[string]any) {
			c["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["criteria"] = map[string]any{"narrative": "Nada"}
		}},
		{"status index", func(c map[string]any) { c["credentialStatus"].(map[string]any)["statusListIndex"] = "43" }},
		{"removed status", func(c map[string]any) { delete(c, "credentialStatus") }},
		{"proof created", func(c map[string]any) { c["proof"].(map[string]any)["created"] = "2026-12-02T10:00:00Z" }},
		{"proof value", func(c map[string]any) {
			p := c["proof"].(map[string]any)
			v := p["proofValue"].(string)
			last := "2"
			if strings.HasSuffix(v, "2") {
				last = "3"
			}
			p["proofValue"] = v[:len(v)-1] + last
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c map[string]any
			if err := json.Unmarshal(doc, &c); err != nil {
				t.Fatal(err)
			}
			tt.tamper(c)
			b, _ := json.Marshal(c)
			if err := Verify(b, resolve); !errors.Is(err, ErrInvalidProof) {
				t.Errorf("Verify = %v, want ErrInvalidProof", err)
			}
		})
	}
}

func TestVerifyRefusesAKeyOfAnotherIssuer(t *testing.T) {
	iss, key := webIssuer(t), testKey("k1", 1)
	doc := mustCredential(t, iss, key, testBadge())
	other := testKey("k1", 2)
	if err := Verify(doc, ResolveKeys(iss, []PublicKey{other.Public()})); !errors.Is(err, ErrInvalidProof) {
		t.Errorf("Verify with another key = %v, want ErrInvalidProof", err)
	}
}

func TestCanonicalizeRefusesUndefinedTerms(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{"undefined property", `{"@context":["` + ContextVC + `","` + ContextOB + `"],"id":"urn:uuid:1","type":["VerifiableCredential"],"favouriteColour":"green"}`},
		{"undefined nested property", `{"@context":["` + ContextVC + `","` + ContextOB + `"],"id":"urn:uuid:1","type":["VerifiableCredential"],"credentialSubject":{"type":["AchievementSubject"],"shoeSize":44}}`},
		{"undefined type", `{"@context":["` + ContextVC + `"],"id":"urn:uuid:1","type":["VerifiableCredential","AulaCertificate"]}`},
		{"unknown context", `{"@context":["` + ContextVC + `","https://example.org/ctx.json"],"id":"urn:uuid:1","type":["VerifiableCredential"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := parseJSON([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if nq, err := canonicalize(doc); err == nil {
				t.Errorf("canonicalize accepted it:\n%s", nq)
			}
		})
	}
	// And a signed credential with an undefined term added does not verify.
	iss, key := webIssuer(t), testKey("k1", 1)
	var c map[string]any
	_ = json.Unmarshal(mustCredential(t, iss, key, testBadge()), &c)
	c["favouriteColour"] = "green"
	b, _ := json.Marshal(c)
	if err := Verify(b, ResolveKeys(iss, []PublicKey{key.Public()})); err == nil || !strings.Contains(err.Error(), "expand") {
		t.Errorf("Verify with an undefined term = %v, want an expansion error", err)
	}
}

func TestCredentialIsDeterministic(t *testing.T) {
	iss, key := webIssuer(t), testKey("k1", 1)
	a, b := mustCredential(t, iss, key, testBadge()), mustCredential(t, iss, key, testBadge())
	if !bytes.Equal(a, b) {
		t.Errorf("two credentials of the same badge differ:\n%s\n%s", a, b)
	}
	s1, err1 := StatusList(iss, key, "https://aula.example/status/1", []int{3}, 0, testBadge().ValidFrom)
	s2, err2 := StatusList(iss, key, "https://aula.example/status/1", []int{3}, 0, testBadge().ValidFrom)
	if err1 != nil || err2 != nil || !bytes.Equal(s1, s2) {
		t.Errorf("two status lists of the same input differ (%v, %v)", err1, err2)
	}
}

func TestCredentialShape(t *testing.T) {
	iss, key := webIssuer(t), testKey("k1", 1)
	b := testBadge()
	b.ValidUntil = time.Date(2028, 12, 1, 10, 0, 0, 500, time.UTC)
	var c struct {
		Context           []string `json:"@context"`
		ID                string
		Type              []string
		ValidUntil        string
		CredentialSubject struct {
			Identifier []identityObject
		}
		CredentialStatus statusEntry
		Proof            Proof
	}
	if err := json.Unmarshal(mustCredential(t, iss, key, b), &c); err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"@context", strings.Join(c.Context, " "), ContextVC + " " + ContextOB},
		{"id", c.ID, "urn:uuid:" + b.CredentialID},
		{"type", strings.Join(c.Type, " "), "VerifiableCredential OpenBadgeCredential"},
		{"validUntil", c.ValidUntil, "2028-12-01T10:00:00Z"},
		{"identityHash", c.CredentialSubject.Identifier[0].IdentityHash, IdentityHash("maria.nunez@example.org", c.CredentialSubject.Identifier[0].Salt)},
		{"status type", c.CredentialStatus.Type, "BitstringStatusListEntry"},
		{"status index", c.CredentialStatus.StatusListIndex, "42"},
		{"status purpose", c.CredentialStatus.StatusPurpose, "revocation"},
		{"proof type", c.Proof.Type + " " + c.Proof.Cryptosuite + " " + c.Proof.ProofPurpose, "DataIntegrityProof eddsa-rdfc-2022 assertionMethod"},
		{"proof value prefix", c.Proof.ProofValue[:1], "z"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.name, ch.got, ch.want)
		}
	}
	if !strings.HasPrefix(c.CredentialSubject.Identifier[0].IdentityHash, "sha256$") {
		t.Errorf("identityHash %q lacks sha256$", c.CredentialSubject.Identifier[0].IdentityHash)
	}
}

func TestCredentialRefusesAnIncompleteBadge(t *testing.T) {
	iss, key := webIssuer(t), testKey("k1", 1)
	tests := []struct {
		name   string
		change func(*Badge)
	}{
		{"no credential id", func(b *Badge) { b.CredentialID = "" }},
		{"no email", func(b *Badge) { b.HolderEmail = "" }},
		{"no valid from", func(b *Badge) { b.ValidFrom = time.Time{} }},
		{"expiry before start", func(b *Badge) { b.ValidUntil = b.ValidFrom.Add(-time.Hour) }},
		{"negative index", func(b *Badge) { b.StatusIndex = -1 }},
	}
	for _, tt := range tests {
		b := testBadge()
		tt.change(&b)
		if _, err := Credential(iss, key, b); err == nil {
			t.Errorf("%s: Credential accepted it", tt.name)
		}
	}
}

func TestStatusListBitsDecodeBack(t *testing.T) {
	tests := []struct {
		name    string
		revoked []int
		wantLen int
	}{
		{"none", nil, MinStatusListBits},
		{"index 0", []int{0}, MinStatusListBits},
		{"index 7", []int{7}, MinStatusListBits},
		{"index 8", []int{8}, MinStatusListBits},
		{"last of the minimum", []int{MinStatusListBits - 1}, MinStatusListBits},
		{"large index grows the list", []int{1_000_000}, 1_000_008},
		{"several", []int{0, 7, 8, 42, 131071}, MinStatusListBits},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := EncodeStatusList(tt.revoked)
			if err != nil {
				t.Fatal(err)
			}
			if enc[0] != 'u' || strings.ContainsAny(enc, "=+/") {
				t.Errorf("encodedList %q… is not unpadded base64url multibase", enc[:10])
			}
			bits, err := DecodeStatusList(enc)
			if err != nil {
				t.Fatal(err)
			}
			if bits.Len() != tt.wantLen {
				t.Errorf("Len = %d, want %d", bits.Len(), tt.wantLen)
			}
			set := map[int]bool{}
			for _, i := range tt.revoked {
				set[i] = true
			}
			for _, i := range []int{0, 1, 6, 7, 8, 9, 42, 131071, 999_999, 1_000_000, 1_000_001} {
				if bits.Set(i) != set[i] {
					t.Errorf("bit %d = %v, want %v", i, bits.Set(i), set[i])
				}
			}
		})
	}
	// Bit 0 is the most significant bit of byte 0.
	enc, _ := EncodeStatusList([]int{0, 9})
	bits, _ := DecodeStatusList(enc)
	if bits[0] != 0x80 || bits[1] != 0x40 {
		t.Errorf("bytes 0 and 1 = %#x %#x, want 0x80 0x40", bits[0], bits[1])
	}
}

func TestStatusListCredentialVerifies(t *testing.T) {
	iss, key := webIssuer(t), testKey("k1", 1)
	doc, err := StatusList(iss, key, "https://aula.example/status/1", []int{42}, 0, testBadge().ValidFrom)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(doc, ResolveKeys(iss, []PublicKey{key.Public()})); err != nil {
		t.Fatalf("Verify: %v\n%s", err, doc)
	}
	var c struct {
		Type              []string
		CredentialSubject statusListSubject
	}
	_ = json.Unmarshal(doc, &c)
	bits, err := DecodeStatusList(c.CredentialSubject.EncodedList)
	if err != nil || !bits.Set(42) || bits.Set(41) {
		t.Errorf("list bits 42 %v, 41 %v (%v): want only 42", bits.Set(42), bits.Set(41), err)
	}
	if strings.Join(c.Type, " ") != "VerifiableCredential BitstringStatusListCredential" ||
		c.CredentialSubject.Type != "BitstringStatusList" || c.CredentialSubject.StatusPurpose != "revocation" {
		t.Errorf("status list credential shape: %s", doc)
	}
}

func TestJWTVerifiesAgainstTheJWKS(t *testing.T) {
	iss := webIssuer(t)
	key, old := testKey("k2", 1), testKey("k1", 2)
	b := testBadge()
	b.ValidUntil = b.ValidFrom.AddDate(2, 0, 0)
	doc := mustCredential(t, iss, key, b)
	token, err := JWT(key, doc)
	if err != nil {
		t.Fatal(err)
	}
	jwksJSON, err := JWKS(iss, []PublicKey{old.Public(), key.Public()})
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jwksJSON, &set); err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	h := jws.Signatures[0].Header
	if h.KeyID != "did:web:aula.example#k2" || h.ExtraHeaders["typ"] != "vc+jwt" {
		t.Errorf("header kid %q typ %v, want did:web:aula.example#k2 vc+jwt", h.KeyID, h.ExtraHeaders["typ"])
	}
	keys := set.Key(h.KeyID)
	if len(keys) != 1 || keys[0].Use != "sig" || keys[0].Algorithm != "EdDSA" {
		t.Fatalf("JWKS keys for %s: %+v", h.KeyID, keys)
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	if _, hasProof := claims["proof"]; hasProof {
		t.Error("the JWT payload keeps the embedded proof")
	}
	if claims["iss"] != "did:web:aula.example" || claims["jti"] != "urn:uuid:"+b.CredentialID ||
		claims["nbf"] != float64(b.ValidFrom.Unix()) || claims["exp"] != float64(b.ValidUntil.Unix()) {
		t.Errorf("claims iss %v jti %v nbf %v exp %v", claims["iss"], claims["jti"], claims["nbf"], claims["exp"])
	}
	if _, err := jws.Verify(set.Key("did:web:aula.example#k1")[0]); err == nil {
		t.Error("the JWT verifies with the old key too")
	}
}

func TestDIDDocumentListsEveryKey(t *testing.T) {
	iss := webIssuer(t)
	k1, k2 := testKey("k1", 1), testKey("k2", 2)
	doc, err := DIDDocument(iss, []PublicKey{k1.Public(), k2.Public()})
	if err != nil {
		t.Fatal(err)
	}
	var d didDocument
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	if d.ID != "did:web:aula.example" || len(d.VerificationMethod) != 2 || len(d.AssertionMethod) != 2 {
		t.Fatalf("DID document: %s", doc)
	}
	for i, k := range []Key{k1, k2} {
		vm := d.VerificationMethod[i]
		pub, err := ParseMultikey(vm.PublicKeyMultibase)
		if err != nil || !pub.Equal(k.Public().Key) || !strings.HasPrefix(vm.PublicKeyMultibase, "z6Mk") ||
			vm.Type != "Multikey" || vm.Controller != d.ID || d.AssertionMethod[i] != vm.ID || vm.ID != "did:web:aula.example#"+k.ID {
			t.Errorf("verification method %d: %+v (%v)", i, vm, err)
		}
	}
	// The DID document is itself valid JSON-LD in the embedded contexts.
	m, _ := parseJSON(doc)
	if _, err := canonicalize(m); err != nil {
		t.Errorf("canonicalize DID document: %v", err)
	}
	if _, err := DIDDocument(Issuer{PublicURL: &url.URL{Scheme: "http", Host: "localhost"}}, []PublicKey{k1.Public()}); !errors.Is(err, ErrNotDIDWeb) {
		t.Errorf("DIDDocument of an http issuer = %v, want ErrNotDIDWeb", err)
	}
}

func TestIssuerDID(t *testing.T) {
	pub := testKey("k1", 1).Public().Key
	tests := []struct{ url, want string }{
		{"https://aula.example", "did:web:aula.example"},
		{"https://aula.example/", "did:web:aula.example"},
		{"https://aula.example:8443/escuela", "did:web:aula.example%3A8443:escuela"},
		{"http://localhost:8080", "did:key:" + Multikey(pub)},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.url)
		if got := IssuerDID(Issuer{PublicURL: u}, pub); got != tt.want {
			t.Errorf("IssuerDID(%s) = %s, want %s", tt.url, got, tt.want)
		}
	}
}

func TestBase58(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{[]byte("Hello World!"), "2NEpo7TZRRrLZSi2U"},
		{[]byte{0, 0, 0x28, 0x7f, 0xb4, 0xcd}, "11233QC4"},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := base58Encode(tt.in); got != tt.want {
			t.Errorf("base58Encode(%x) = %s, want %s", tt.in, got, tt.want)
		}
		if back, err := base58Decode(tt.want); err != nil || !bytes.Equal(back, tt.in) && len(tt.in) > 0 {
			t.Errorf("base58Decode(%s) = %x, %v", tt.want, back, err)
		}
	}
	// The did:key spec's first Ed25519 test vector.
	const mk = "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
	pub, err := ParseMultikey(mk)
	if err != nil || Multikey(pub) != mk {
		t.Errorf("ParseMultikey/Multikey round trip of %s: %v", mk, err)
	}
}

func TestDIDWebURLIsWhereResolversLook(t *testing.T) {
	tests := []struct{ did, want string }{
		{"did:web:aula.example", "https://aula.example/.well-known/did.json"},
		{"did:web:aula.example%3A8443:escuela", "https://aula.example:8443/escuela/did.json"},
	}
	for _, tt := range tests {
		if got, err := DIDWebURL(tt.did); err != nil || got != tt.want {
			t.Errorf("DIDWebURL(%s) = %s, %v; want %s", tt.did, got, err, tt.want)
		}
	}
	if _, err := DIDWebURL("did:key:z6Mk"); err == nil {
		t.Error("DIDWebURL accepted a did:key")
	}
	// An issuer's DID document is at the URL its DID resolves to.
	u, _ := url.Parse("https://aula.example:8443/escuela")
	if got, _ := DIDWebURL(IssuerDID(Issuer{PublicURL: u}, nil)); got != "https://aula.example:8443/escuela/did.json" {
		t.Errorf("round trip = %s", got)
	}
}

func TestVerifierArgsAndResult(t *testing.T) {
	got := strings.Join(VerifierCredentialArgs("v.mjs", "c.json", map[string]string{
		"https://b.example/status/1": "s.json", "https://a.example/.well-known/did.json": "d.json",
	}), " ")
	want := "v.mjs credential c.json --doc https://a.example/.well-known/did.json=d.json --doc https://b.example/status/1=s.json"
	if got != want {
		t.Errorf("VerifierCredentialArgs = %s, want %s", got, want)
	}
	if got := strings.Join(VerifierJWTArgs("v.mjs", "t.jwt", "k.json", "did:web:a"), " "); got != "v.mjs jwt t.jwt --jwks k.json --issuer did:web:a" {
		t.Errorf("VerifierJWTArgs = %s", got)
	}
	r, err := ParseVerifierResult([]byte(`{"mode":"credential","signature":"valid","expired":false,"revocation":"revoked","errors":[],"verified":false,"fetched":["https://a/status/1"],"refused":[]}`))
	if err != nil || r.Signature != "valid" || r.Expired == nil || *r.Expired || r.Revocation != RevocationRevoked || r.Verified {
		t.Errorf("ParseVerifierResult = %+v, %v", r, err)
	}
}

func TestAStatusListHoldsEveryIndexIssuedNotOnlyTheRevoked(t *testing.T) {
	key := testKey("k1", 1)
	iss := webIssuer(t)
	doc, err := StatusList(iss, key, "https://aula.example/status/1", []int{3}, MinStatusListBits+5, testBadge().ValidFrom)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		CredentialSubject struct {
			EncodedList string `json:"encodedList"`
		} `json:"credentialSubject"`
	}
	json.Unmarshal(doc, &c)
	bits, err := DecodeStatusList(c.CredentialSubject.EncodedList)
	if err != nil || bits.Len() != 2*MinStatusListBits || !bits.Set(3) || bits.Set(MinStatusListBits+4) {
		t.Fatalf("list of %d bits, %v", bits.Len(), err)
	}
}
