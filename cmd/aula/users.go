package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/aula-school/aula/courses"
)

// createUser is the production way to make the first admin: `aula user create --role admin …`.
func createUser(ctx context.Context, cfg Config, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	role := fs.String("role", "trainee", "admin, instructor or trainee")
	email := fs.String("email", "", "email address")
	name := fs.String("name", "", "full name")
	country := fs.String("country", "", "ISO 3166 country code")
	institution := fs.String("institution", "", "institution")
	language := fs.String("language", courses.DefaultLanguage, "es, en or pt")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("user create: %w", err)
	}
	p := courses.Profile{FullName: *name, Email: *email, Country: *country, Institution: *institution, Language: *language}.Clean()
	var problems []string
	if !courses.Role(*role).Valid() {
		problems = append(problems, fmt.Sprintf("--role %q: not admin, instructor or trainee", *role))
	}
	errs := p.Validate()
	for _, f := range []struct{ field, flag string }{{"email", "--email"}, {"full_name", "--name"}, {"language", "--language"}} {
		if errs[f.field] != "" {
			problems = append(problems, f.flag+": "+errs[f.field])
		}
	}
	if p.Country != "" && errs["country"] != "" {
		problems = append(problems, "--country: "+errs["country"])
	}
	if len(problems) > 0 {
		return fmt.Errorf("user create: %s", strings.Join(problems, "; "))
	}
	password, generated := "", false
	if *fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("user create: read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
		if msg := courses.ValidatePassword(password); msg != "" {
			return fmt.Errorf("user create: password: %s", msg)
		}
	} else {
		b := make([]byte, 15)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		password, generated = base64.RawURLEncoding.EncodeToString(b), true
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.CreateUser(ctx, p, password, courses.Role(*role))
	if errors.Is(err, courses.ErrConflict) {
		return fmt.Errorf("user create: %s already has an account", p.Email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created %s %s (id %d).\n", u.Role, u.Email, u.ID)
	if generated {
		fmt.Fprintf(stdout, "Password: %s\nIt is shown only now; the user can change it on their profile page.\n", password)
	}
	return nil
}
