package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// envPrefix starts the environment variable of every flag.
const envPrefix = "CHIPGRAPH_"

// envName returns the environment variable read for a flag:
// "write-token" → "CHIPGRAPH_WRITE_TOKEN".
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// flagSet is a command's flags. On top of flag.FlagSet it reads each flag
// not given on the command line from its environment variable, accepts
// flags after positional arguments, prints usage with --names, and turns
// every parse failure into a usageError naming the flag.
type flagSet struct {
	*flag.FlagSet
	c       *cli
	cmd     string // subcommand name
	args    string // positional synopsis
	about   string // what the command does, for --help
	secrets map[string]bool
	cmdline map[string]bool // flags given on the command line
}

func (c *cli) newFlagSet(cmd, args, about string) *flagSet {
	fs := flag.NewFlagSet("chipgraph "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned and printed by cli.exit
	return &flagSet{FlagSet: fs, c: c, cmd: cmd, args: args, about: about, secrets: map[string]bool{}, cmdline: map[string]bool{}}
}

// secret marks a flag whose value must never be printed.
func (fs *flagSet) secret(name string) { fs.secrets[name] = true }

// onCommandLine reports whether the flag was given on the command line
// (rather than through the environment or left at its default).
func (fs *flagSet) onCommandLine(name string) bool { return fs.cmdline[name] }

// parse parses args and then the environment, and returns the positional
// arguments. Precedence: command line, then environment, then default.
// It returns flag.ErrHelp after printing usage for -h or --help.
func (fs *flagSet) parse(args []string) ([]string, error) {
	var pos []string
	for {
		before := args
		if err := fs.FlagSet.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.usage(fs.c.stdout)
				return nil, flag.ErrHelp
			}
			return nil, fs.usageError(dashes(err.Error()))
		}
		args = fs.Args()
		if consumed := before[:len(before)-len(args)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			pos = append(pos, args...) // everything after "--" is an argument
			break
		}
		if len(args) == 0 {
			break
		}
		pos, args = append(pos, args[0]), args[1:]
	}
	fs.Visit(func(f *flag.Flag) { fs.cmdline[f.Name] = true })

	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || fs.cmdline[f.Name] {
			return
		}
		name := envName(f.Name)
		v, ok := fs.c.lookupEnv(name)
		if !ok || v == "" {
			return
		}
		if serr := fs.Set(f.Name, v); serr != nil {
			if fs.secrets[f.Name] {
				err = fs.usageError(fmt.Sprintf("invalid value in %s for flag --%s: %v", name, f.Name, serr))
			} else {
				err = fs.usageError(fmt.Sprintf("invalid value %q in %s for flag --%s: %v", v, name, f.Name, serr))
			}
		}
	})
	return pos, err
}

func (fs *flagSet) usageError(msg string) *usageError {
	return &usageError{cmd: fs.cmd, msg: msg, hint: "chipgraph " + fs.cmd + " --help"}
}

// usage prints the command's synopsis, description and flags.
func (fs *flagSet) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: chipgraph %s [flags]", fs.cmd)
	if fs.args != "" {
		fmt.Fprintf(w, " %s", fs.args)
	}
	fmt.Fprintf(w, "\n\n%s\n\nFlags:\n", strings.TrimSpace(fs.about))
	fs.VisitAll(func(f *flag.Flag) {
		typ, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  --%s", f.Name)
		if typ != "" {
			fmt.Fprintf(w, " %s", typ)
		}
		fmt.Fprintf(w, "\n    \t%s", strings.ReplaceAll(usage, "\n", "\n    \t"))
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && !fs.secrets[f.Name] {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "\n    \tenv %s\n", envName(f.Name))
	})
}

var singleDash = regexp.MustCompile(`(^|\s)-([A-Za-z])`)

// dashes rewrites the flag package's "-name" as "--name", as the usage shows.
func dashes(msg string) string { return singleDash.ReplaceAllString(msg, "${1}--${2}") }

// Flag value types. Each validates in Set, so a bad value is refused the
// same way from the command line and from the environment.

// choice is a string flag that takes one of a few values; any other
// gives the error `must be "a" or "b"`, listing them.
type choice struct {
	p       *string
	allowed []string
}

func (c choice) String() string {
	if c.p == nil {
		return ""
	}
	return *c.p
}

func (c choice) Set(s string) error {
	s = strings.TrimSpace(s)
	if slices.Contains(c.allowed, s) {
		*c.p = s
		return nil
	}
	quoted := make([]string, len(c.allowed))
	for i, a := range c.allowed {
		quoted[i] = strconv.Quote(a)
	}
	return errors.New("must be " + strings.Join(quoted, " or "))
}

// positiveInt is an int flag that must be at least 1.
type positiveInt int

func (p *positiveInt) String() string { return strconv.Itoa(int(*p)) }
func (p *positiveInt) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return errors.New("not an integer")
	}
	if n < 1 {
		return errors.New("must be at least 1")
	}
	*p = positiveInt(n)
	return nil
}

// positiveFloat is a float flag that must be positive.
type positiveFloat float64

func (f *positiveFloat) String() string { return strconv.FormatFloat(float64(*f), 'g', -1, 64) }
func (f *positiveFloat) Set(s string) error {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return errors.New("not a number")
	}
	if !(v > 0) || math.IsInf(v, 0) {
		return errors.New("must be a positive number")
	}
	*f = positiveFloat(v)
	return nil
}

// positiveDuration is a duration flag ("30s", "2m") that must be positive.
type positiveDuration time.Duration

func (d *positiveDuration) String() string { return time.Duration(*d).String() }
func (d *positiveDuration) Set(s string) error {
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return errors.New(`not a duration (use a unit, as in "30s" or "2m")`)
	}
	if v <= 0 {
		return errors.New("must be positive")
	}
	*d = positiveDuration(v)
	return nil
}

// byteSize is a positive size in bytes: "1048576", "512KiB", "1MiB", "2MB".
type byteSize int64

var sizeUnits = []struct {
	suffix string
	n      int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1},
}

func (b *byteSize) String() string {
	n := int64(*b)
	for i := 2; i >= 0; i-- { // GiB, MiB, KiB
		if u := sizeUnits[i]; n > 0 && n%u.n == 0 {
			return strconv.FormatInt(n/u.n, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

func (b *byteSize) Set(s string) error {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range sizeUnits {
		if len(s) > len(u.suffix) && strings.EqualFold(s[len(s)-len(u.suffix):], u.suffix) {
			s, mult = strings.TrimSpace(s[:len(s)-len(u.suffix)]), u.n
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return errors.New(`not a size (use bytes or a unit, as in "1048576" or "1MiB")`)
	}
	if n < 1 {
		return errors.New("must be positive")
	}
	if n > (1<<62)/mult {
		return errors.New("too large")
	}
	*b = byteSize(n * mult)
	return nil
}

// sizeOrZero is a byteSize that may be 0 (to turn something off).
type sizeOrZero int64

func (b *sizeOrZero) String() string { return (*byteSize)(b).String() }
func (b *sizeOrZero) Set(s string) error {
	if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil && n == 0 {
		*b = 0
		return nil
	}
	return (*byteSize)(b).Set(s)
}

// hostPort is a listen address, "host:port"; port 0 picks a free port.
type hostPort string

func (a *hostPort) String() string { return string(*a) }
func (a *hostPort) Set(s string) error {
	s = strings.TrimSpace(s)
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return errors.New(`not host:port (for example "127.0.0.1:8080", or ":8080" for every interface)`)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		if _, lerr := net.LookupPort("tcp", port); lerr != nil {
			return fmt.Errorf("bad port %q", port)
		}
	}
	*a = hostPort(s)
	return nil
}

// nonEmpty is a string flag that must not be empty.
type nonEmpty string

func (s *nonEmpty) String() string { return string(*s) }
func (s *nonEmpty) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("must not be empty")
	}
	*s = nonEmpty(v)
	return nil
}

// originList is a comma-separated list of CORS origins: "*" or
// scheme://host[:port], where host may start with "*." for subdomains.
type originList []string

func (o *originList) String() string { return strings.Join(*o, ",") }
func (o *originList) Set(s string) error {
	var out []string
	for _, v := range strings.Split(s, ",") {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if v != "*" {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
				(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
				return fmt.Errorf("origin %q is not \"*\" or scheme://host[:port]", v)
			}
			v = strings.TrimSuffix(v, "/")
		}
		out = append(out, v)
	}
	*o = out
	return nil
}

// jsonObject is a flag holding a JSON object, such as GraphQL variables.
type jsonObject map[string]any

func (j *jsonObject) String() string {
	if *j == nil {
		return ""
	}
	b, _ := json.Marshal(map[string]any(*j))
	return string(b)
}

func (j *jsonObject) Set(s string) error {
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return errors.New("not a JSON object")
		}
		return fmt.Errorf("not valid JSON: %v", err)
	}
	if m == nil {
		return errors.New("not a JSON object")
	}
	*j = m
	return nil
}
