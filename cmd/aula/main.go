// Command aula runs Aula: the web server, its migrations, its demo school and its admin tasks.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "aula:", err)
		os.Exit(1)
	}
}

const usage = `usage: aula <command>

commands:
  serve                  serve the web application (refuses an out-of-date schema)
  migrate                bring the database schema up to date
  demo [--large [--users N] [--enrolments N] [--certificates N] [--seed N]]
                         load the demo school (idempotent) with two years of history, and print its accounts;
                         --large adds a school of 100,000 trainees, 300,000 enrolments and 50,000 certificates
  user create --role admin|instructor|trainee --email EMAIL --name "FULL NAME" [--password-stdin]
                         create an account; without --password-stdin a password is generated and printed
  course import PATH --owner EMAIL [--publish]
                         import a course from a folder or a zip (see README: Courses as files)
  course export SLUG FILE.zip
                         export a course to a zip
  certificates audit     check the certificates' issuance log link by link, and every certificate's signature;
                         fails, naming the first broken link, if anything was changed
  gift check [--json] [--lang es|en|pt] FILE
                         check a GIFT question file and list its questions (needs no configuration)

configuration comes from environment variables; see README.md.
`

var errUsage = errors.New("see `aula help`")

// run is the whole program, with its inputs and outputs passed in so a test can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	if args[0] == "gift" {
		return giftCommand(args[1:], stdout, stderr) // a file check: no database, no configuration
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, stdout, stderr)
	case "migrate":
		return migrate(ctx, cfg, stdout)
	case "demo":
		return demo(ctx, cfg, args[1:], stdout)
	case "course":
		return courseCommand(ctx, cfg, args[1:], stdout)
	case "certificates":
		return certificatesCommand(ctx, cfg, args[1:], stdout)
	case "user":
		if len(args) < 2 || args[1] != "create" {
			return fmt.Errorf("unknown user command: %w", errUsage)
		}
		return createUser(ctx, cfg, args[2:], stdin, stdout)
	default:
		return fmt.Errorf("unknown command %q: %w", args[0], errUsage)
	}
}
