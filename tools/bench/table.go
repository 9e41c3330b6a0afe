package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
)

// table collects the figures and prints them as a Markdown table, ready to
// paste into the README.
type table struct {
	lines []string
}

func (t *table) section(title string) {
	t.lines = append(t.lines, "", "### "+title, "",
		"| figure | measured | reference (same run) | ratio | target | peak RSS |",
		"| --- | --- | --- | --- | --- | --- |")
}

func (t *table) row(cells ...string) {
	t.lines = append(t.lines, "| "+strings.Join(cells, " | ")+" |")
}

func (t *table) print(w io.Writer) {
	fmt.Fprintln(w, strings.Join(t.lines, "\n"))
}

func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				if _, v, ok := strings.Cut(l, ":"); ok {
					model = strings.TrimSpace(v)
				}
				break
			}
		}
	}
	return fmt.Sprintf("%d cores, %s, %s", runtime.NumCPU(), model, runtime.Version())
}
