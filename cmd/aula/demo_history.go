package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/aula-school/aula/store"
)

// demoFlags are `aula demo`'s options: --large adds a school of the size the reports are
// measured on, which the other flags may shrink or grow.
type demoFlags struct {
	large bool
	spec  store.LargeSchool
}

func parseDemoFlags(args []string) (demoFlags, error) {
	f := demoFlags{spec: store.DefaultLargeSchool}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&f.large, "large", false, "also generate a large school (see --users, --enrolments, --certificates, --seed)")
	fs.IntVar(&f.spec.Users, "users", f.spec.Users, "trainees of the large school")
	fs.IntVar(&f.spec.Enrolments, "enrolments", f.spec.Enrolments, "enrolments of the large school")
	fs.IntVar(&f.spec.Certificates, "certificates", f.spec.Certificates, "certificates of the large school")
	fs.Int64Var(&f.spec.Seed, "seed", f.spec.Seed, "the large school's seed: the same seed and day make the same school")
	if err := fs.Parse(args); err != nil {
		return f, fmt.Errorf("demo: %v: %w", err, errUsage)
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("demo: unexpected %q: %w", fs.Arg(0), errUsage)
	}
	return f, nil
}

// demoHistory gives the demo school its past (store.DemoHistory): a few hundred trainees over
// two years, for the dashboard's and the impact page's charts, with their quiz attempts, all
// in the generator's one transaction. Loaded once: a database that has it keeps it.
func demoHistory(ctx context.Context, st *store.Store, now time.Time) (bool, error) {
	err := st.GenerateDemoHistory(ctx, store.DemoHistory, now)
	if errors.Is(err, store.ErrSchoolGenerated) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("demo: history: %w", err)
	}
	return true, nil
}

// demoLarge generates the large school and says what it made and how long it took.
func demoLarge(ctx context.Context, st *store.Store, spec store.LargeSchool, stdout io.Writer) error {
	fmt.Fprintf(stdout, "Generating a large school: %d trainees, %d enrolments, %d certificates (seed %d) …\n",
		spec.Users, spec.Enrolments, spec.Certificates, spec.Seed)
	began := time.Now()
	// The school's clock is today's date, so that the same seed makes the same school all day.
	err := st.GenerateLargeSchool(ctx, spec, began.UTC().Truncate(24*time.Hour))
	if errors.Is(err, store.ErrSchoolGenerated) {
		fmt.Fprintln(stdout, "The database already has the large school (trainee…@large.aula.example): nothing generated.")
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo: large school: %w", err)
	}
	fmt.Fprintf(stdout, "The large school is generated in %s: trainee000001@large.aula.example … trainee%06d@large.aula.example, password %s.\n",
		time.Since(began).Round(100*time.Millisecond), spec.Users, store.LargeSchoolPassword)
	return nil
}
