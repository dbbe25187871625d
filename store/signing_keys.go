package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// SecretSize is the length of the school's secret, which seals the signing keys.
const SecretSize = 32

// SigningKey is one of the school's Ed25519 keys. Private is set only for the key that signs.
type SigningKey struct {
	ID        string
	Public    ed25519.PublicKey
	Private   ed25519.PrivateKey
	CreatedAt time.Time
	RetiredAt time.Time
}

// signer is the key that signs new certificates and every key that ever did, as the store
// loaded them at start. Keys are only ever added, so a copy per instance stays right.
type signer struct {
	school  string
	current SigningKey
	public  map[string]ed25519.PublicKey
	all     []SigningKey
	logKey  []byte // authenticates the issuance log's entries: see logMAC
	// twoFactorKey seals the TOTP secrets and keys the recovery codes' hashes: see two_factor.go.
	twoFactorKey []byte
}

// logKey is the issuance log's HMAC key, drawn from the school's secret.
func logKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("aula certificate log v1"))
	return m.Sum(nil)
}

// logMAC authenticates one log entry's hash.
func (sg *signer) logMAC(hash []byte) []byte {
	m := hmac.New(sha256.New, sg.logKey)
	m.Write(hash)
	return m.Sum(nil)
}

// keyID names a public key: the first 8 bytes of its SHA-256, in hex.
func keyID(pub ed25519.PublicKey) string {
	d := sha256.Sum256(pub)
	return "k" + hex.EncodeToString(d[:8])
}

// seal and unseal keep a private key under the school's secret (AES-256-GCM, the key id as
// additional data, so a sealed key cannot be passed off as another).
func seal(secret []byte, id string, seed []byte) ([]byte, error) {
	gcm, err := newGCM(secret)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return gcm.Seal(nonce, nonce, seed, []byte(id)), nil
}

func unseal(secret []byte, id string, sealed []byte) ([]byte, error) {
	gcm, err := newGCM(secret)
	if err != nil {
		return nil, err
	}
	if len(sealed) < gcm.NonceSize() {
		return nil, errors.New("sealed key too short")
	}
	return gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], []byte(id))
}

func newGCM(secret []byte) (cipher.AEAD, error) {
	if len(secret) != SecretSize {
		return nil, fmt.Errorf("the school's secret must be %d bytes, not %d", SecretSize, len(secret))
	}
	block, err := aes.NewCipher(secret)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// UseSigningKeys loads the school's signing keys, sealed with secret, making one on first
// start (or from seed, an Ed25519 seed given in the configuration, when there is none yet),
// and makes the store sign certificates in the name of school. Two instances starting at
// once make one key between them.
func (s *Store) UseSigningKeys(ctx context.Context, school string, secret, seed []byte) error {
	if _, err := newGCM(secret); err != nil {
		return fmt.Errorf("store: signing keys: %w", err)
	}
	if seed != nil && len(seed) != ed25519.SeedSize {
		return fmt.Errorf("store: signing key: a seed is %d bytes, not %d", ed25519.SeedSize, len(seed))
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727275)`); err != nil {
			return err
		}
		var current int
		if err := tx.GetContext(ctx, &current, `SELECT count(*) FROM signing_keys WHERE retired_at IS NULL`); err != nil {
			return err
		}
		if current > 0 {
			return nil
		}
		if seed == nil {
			_, priv, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				return err
			}
			seed = priv.Seed()
		}
		priv := ed25519.NewKeyFromSeed(seed)
		pub := priv.Public().(ed25519.PublicKey)
		id := keyID(pub)
		sealed, err := seal(secret, id, seed)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO signing_keys (id, public_key, private_key) VALUES ($1, $2, $3)`, id, []byte(pub), sealed)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: signing keys: %w", err)
	}
	var rows []struct {
		ID        string     `db:"id"`
		Public    []byte     `db:"public_key"`
		Private   []byte     `db:"private_key"`
		CreatedAt time.Time  `db:"created_at"`
		RetiredAt *time.Time `db:"retired_at"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, public_key, private_key, created_at, retired_at FROM signing_keys ORDER BY created_at, id`); err != nil {
		return fmt.Errorf("store: signing keys: %w", err)
	}
	sg := &signer{school: school, public: map[string]ed25519.PublicKey{}, logKey: logKey(secret), twoFactorKey: twoFactorKey(secret)}
	for _, r := range rows {
		// Every key, retired or not, must open with the secret and be what its id says: a key
		// row written into the database by anyone without the secret is refused, not trusted.
		seed, err := unseal(secret, r.ID, r.Private)
		if err != nil {
			return fmt.Errorf("store: signing key %s: cannot be opened with this secret (%w): is AULA_SECRET_KEY the one it was made with?", r.ID, err)
		}
		k := SigningKey{ID: r.ID, Public: ed25519.PublicKey(r.Public), Private: ed25519.NewKeyFromSeed(seed), CreatedAt: r.CreatedAt}
		if !k.Private.Public().(ed25519.PublicKey).Equal(k.Public) || keyID(k.Public) != r.ID {
			return fmt.Errorf("store: signing key %s: its halves or its id do not match", r.ID)
		}
		if r.RetiredAt != nil {
			k.RetiredAt, k.Private = *r.RetiredAt, nil
		} else {
			sg.current = k
		}
		sg.public[k.ID] = k.Public
		sg.all = append(sg.all, SigningKey{ID: k.ID, Public: k.Public, CreatedAt: k.CreatedAt, RetiredAt: k.RetiredAt})
	}
	s.signer.Store(sg)
	return nil
}

// RotateSigningKey retires the current key and makes a new one, which signs from then on;
// the old one goes on verifying what it signed. Other instances take the new key at their
// next start; until then they sign with the old one, which stays valid.
func (s *Store) RotateSigningKey(ctx context.Context, secret []byte, now time.Time) error {
	sg, err := s.signing()
	if err != nil {
		return err
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL`, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: rotate signing key: %w", err)
	}
	return s.UseSigningKeys(ctx, sg.school, secret, nil)
}

// SigningKeys lists every key the school has signed with, oldest first, without the private
// halves: what the JWKS and the DID document publish.
func (s *Store) SigningKeys() ([]SigningKey, error) {
	sg, err := s.signing()
	if err != nil {
		return nil, err
	}
	return sg.all, nil
}

// CurrentSigningKey is the key that signs now, private half included, for signing the school's
// credentials (Open Badges, the revocation list).
func (s *Store) CurrentSigningKey() (SigningKey, error) {
	sg, err := s.signing()
	if err != nil {
		return SigningKey{}, err
	}
	return sg.current, nil
}

// PublicKey returns the public key id names, or nil when the school has none such.
func (s *Store) PublicKey(id string) ed25519.PublicKey {
	sg, err := s.signing()
	if err != nil {
		return nil
	}
	return sg.public[id]
}

// School is the name certificates are issued in.
func (s *Store) School() string {
	if sg, err := s.signing(); err == nil {
		return sg.school
	}
	return ""
}

var errNoSigner = errors.New("store: no signing key loaded (UseSigningKeys)")

func (s *Store) signing() (*signer, error) {
	sg := s.signer.Load()
	if sg == nil {
		return nil, errNoSigner
	}
	return sg, nil
}
