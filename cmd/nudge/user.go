package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"nudge/internal/app"
	"nudge/internal/auth"
)

// runUserAdd is `nudge user add NAME [--role admin|operator]
// [--password-file FILE]`. The password comes from FILE's first line, or is
// asked twice on a terminal, or is read as one line from standard input
// when that is not a terminal (for scripts: `echo "$PW" | nudge user add`).
func runUserAdd(ctx context.Context, e *env) error {
	cfg := app.DefaultConfig()
	fs := newFlags("user add", e)
	cfg.Flags(fs)
	roleName := fs.String("role", string(auth.RoleOperator), "admin or operator")
	passwordFile := fs.String("password-file", "", "read the password from the first line of `FILE`")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: nudge user add NAME [--role admin|operator] [--password-file FILE]")
		fs.PrintDefaults()
	}
	args, err := parseInterspersed(fs, e.args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		fs.Usage()
		return &exitError{code: 2, err: errors.New("user add needs exactly one NAME")}
	}
	role, err := auth.ParseRole(*roleName)
	if err != nil {
		return err
	}
	password, err := readPassword(e, *passwordFile)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, e.log)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.AddUser(ctx, args[0], password, role)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user %s added with role %s\n", u.Name, u.Role)
	return nil
}

// readPassword gets the new user's password; see runUserAdd.
func readPassword(e *env, file string) (string, error) {
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return "", err
		}
		defer f.Close()
		return firstLine(f)
	}
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fd := int(f.Fd())
		fmt.Fprint(e.stderr, "Password: ")
		p1, err := term.ReadPassword(fd)
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(e.stderr, "Repeat the password: ")
		p2, err := term.ReadPassword(fd)
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		if string(p1) != string(p2) {
			return "", errors.New("the two passwords differ")
		}
		return string(p1), nil
	}
	return firstLine(e.stdin)
}

// firstLine reads up to the first newline; the line ending (\n or \r\n) is
// not part of the password, but spaces are.
func firstLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		if errors.Is(err, io.EOF) {
			return "", errors.New("no password given: use --password-file FILE, a terminal, or one line on standard input")
		}
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// runTokenCreate is `nudge token create --name NAME`: it prints a new API
// bearer token on standard output, the only time it can be seen.
func runTokenCreate(ctx context.Context, e *env) error {
	cfg := app.DefaultConfig()
	fs := newFlags("token create", e)
	cfg.Flags(fs)
	name := fs.String("name", "", "what the token is for, e.g. erp or shopify (required, unique)")
	if err := fs.Parse(e.args); err != nil {
		return err
	}
	if *name == "" || fs.NArg() > 0 {
		fs.Usage()
		return &exitError{code: 2, err: errors.New("token create needs --name NAME and no other argument")}
	}
	a, err := app.Open(ctx, cfg, e.log)
	if err != nil {
		return err
	}
	defer a.Close()
	token, err := a.Auth.CreateToken(ctx, *name)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, token)
	fmt.Fprintf(e.stderr, "API token %q created. It is shown only this once; send it as\n  Authorization: Bearer <token>\n", *name)
	return nil
}

// parseInterspersed parses flags that may come before or after positional
// arguments (`user add alice --role admin`), which package flag alone does
// not allow: it stops at the first non-flag. Everything after "--" is
// positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
