// Command chipgraph runs the chipgraph knowledge-graph service and the
// tools around its store: import and export of NDJSON records, and
// in-process GraphQL queries for scripts and notebooks.
//
// Usage:
//
//	chipgraph <command> [flags] [arguments]
//
// Run "chipgraph help" for the commands and "chipgraph <command> --help"
// for a command's flags. Every flag can also be set through an environment
// variable CHIPGRAPH_<FLAG> (upper case, dashes as underscores, so
// --write-token is CHIPGRAPH_WRITE_TOKEN); a flag on the command line wins.
//
// Exit codes: 0 success, 1 failure, 2 usage error (bad command, flag or value).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the build information.
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, restore the default behaviour so that a
		// second one kills a process stuck in shutdown.
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, lookupEnv: os.LookupEnv}
	if f, ok := stderr.(*os.File); ok {
		c.terminal = isTerminal(f)
	}
	return c.exit(c.run(ctx, args))
}

// cli is what commands take from their process: the standard streams and
// the environment. Tests build one with buffers and a map.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	lookupEnv      func(string) (string, bool)
	terminal       bool // stderr is a terminal: draw progress lines
}

// command is one subcommand.
type command struct {
	name    string
	args    string // synopsis of the positional arguments
	summary string
	run     func(c *cli, ctx context.Context, args []string) error
}

// commands lists the subcommands in the order help shows them.
var commands []*command

func init() {
	// Assigned here, not in the declaration, because help refers to commands.
	commands = []*command{
		{"serve", "", "run the GraphQL service over HTTP", (*cli).serve},
		{"query", "[QUERY | -]", "run a GraphQL query in-process and print the JSON response", (*cli).query},
		{"import", "FILE...", "write NDJSON record files into the store (\"-\" reads stdin)", (*cli).importFiles},
		{"export", "", "write the store's whole history as NDJSON", (*cli).export},
	}
	commands = append(commands, extraCommands...)
	commands = append(commands,
		&command{"version", "", "print the version", (*cli).version},
		&command{"help", "[COMMAND]", "show help for chipgraph or a command", (*cli).help},
	)
}

func lookupCommand(name string) *command {
	for _, cmd := range commands {
		if cmd.name == name {
			return cmd
		}
	}
	return nil
}

// run dispatches to the subcommand named by args[0].
func (c *cli) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		c.usage(c.stderr)
		return &usageError{msg: "no command given"}
	}
	switch name := args[0]; name {
	case "-h", "-help", "--help":
		c.usage(c.stdout)
		return nil
	case "-v", "-version", "--version":
		return c.version(ctx, nil)
	default:
		cmd := lookupCommand(name)
		if cmd == nil {
			return &usageError{msg: fmt.Sprintf("unknown command %q", name), hint: "chipgraph help"}
		}
		return cmd.run(c, ctx, args[1:])
	}
}

// exit reports err on stderr and returns the exit code for it.
func (c *cli) exit(err error) int {
	var ue *usageError
	var ee *exitError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp): // help was printed
		return 0
	case errors.As(err, &ue):
		prefix := "chipgraph"
		if ue.cmd != "" {
			prefix += " " + ue.cmd
		}
		fmt.Fprintf(c.stderr, "%s: %s\n", prefix, ue.msg)
		if ue.hint != "" {
			fmt.Fprintf(c.stderr, "Try: %s\n", ue.hint)
		}
		return 2
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintln(c.stderr, "chipgraph:", ee.msg)
		}
		return ee.code
	default:
		// A *graph.Error's text is its message; any other error is shown in
		// full, since the person at the terminal runs the store.
		fmt.Fprintln(c.stderr, "chipgraph:", err)
		return 1
	}
}

// usageError is a bad command line: exit code 2, with a hint to try.
type usageError struct {
	cmd  string // the subcommand, if any
	msg  string
	hint string
}

func (e *usageError) Error() string { return e.msg }

// exitError ends the command with a given code and an optional message.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// usage prints the list of commands.
func (c *cli) usage(w io.Writer) {
	fmt.Fprint(w, `chipgraph is a knowledge graph of the AI-hardware industry.

Usage:

	chipgraph <command> [flags] [arguments]

Commands:

`)
	for _, cmd := range commands {
		fmt.Fprintf(w, "\t%-8s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprint(w, `
Run "chipgraph <command> --help" for a command's flags. Every flag can also be
set with an environment variable CHIPGRAPH_<FLAG>, for example
CHIPGRAPH_DATA for --data; a flag given on the command line wins.
`)
}

func (c *cli) help(ctx context.Context, args []string) error {
	switch len(args) {
	case 0:
		c.usage(c.stdout)
		return nil
	case 1:
		cmd := lookupCommand(args[0])
		if cmd == nil {
			return &usageError{cmd: "help", msg: fmt.Sprintf("unknown command %q", args[0]), hint: "chipgraph help"}
		}
		if cmd.name == "help" || cmd.name == "version" {
			fmt.Fprintf(c.stdout, "Usage: chipgraph %s %s\n\n%s.\n", cmd.name, cmd.args, capitalize(cmd.summary))
			return nil
		}
		// Every other command prints its usage on --help.
		return cmd.run(c, ctx, []string{"--help"})
	default:
		return &usageError{cmd: "help", msg: "help takes at most one command", hint: "chipgraph help"}
	}
}

func (c *cli) version(_ context.Context, args []string) error {
	if len(args) > 0 {
		return &usageError{cmd: "version", msg: "version takes no arguments"}
	}
	fmt.Fprintf(c.stdout, "chipgraph %s %s %s/%s\n", versionString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// versionString is the version set at build time, or the module version
// and VCS revision recorded in the binary.
func versionString() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if v == "(devel)" && rev != "" {
		v += " " + rev[:min(12, len(rev))] + modified
	}
	return v
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// isTerminal reports whether f is a character device (a terminal, in practice).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
