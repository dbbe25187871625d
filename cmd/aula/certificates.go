package main

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// certificatesCommand runs `aula certificates audit`: it walks the whole issuance log and
// checks every certificate against it and against its signature, and fails on the first
// problem it reports.
func certificatesCommand(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "audit" {
		return fmt.Errorf("unknown certificates command: %w", errUsage)
	}
	if cfg.Secret == nil {
		return useSigningKeys(ctx, cfg, nil) // says what to configure
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := st.AuditCertificates(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Issuance log: %d entries; certificates: %d.\n", rep.Entries, rep.Certificates)
	if rep.Head != "" {
		// Entries cut off the end leave a shorter chain that still holds: only a head kept
		// elsewhere shows it.
		fmt.Fprintf(stdout, "Last entry (number and hash; keep it outside the database to detect a cut later): %s\n", rep.Head)
	}
	if len(rep.Problems) == 0 {
		fmt.Fprintln(stdout, "Every link of the chain holds, and every certificate is as it was signed and logged.")
		return nil
	}
	fmt.Fprintf(stdout, "First broken: %s\n", rep.Problems[0])
	for _, p := range rep.Problems[1:] {
		fmt.Fprintf(stdout, "  also: %s\n", p)
	}
	return errors.New("certificates audit: the log or the certificates are not as they were written")
}
