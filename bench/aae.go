package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// aaeRunner carries the anti-entropy mode's state between its phases.
type aaeRunner struct {
	cfg  Config
	p    *procs
	log  io.Writer
	bin  string
	root string
	c    *aaeCluster
	rep  *AAEReport
}

// runAAE measures the anti-entropy targets of issue 6 on a real 3-node
// cluster and writes the report. Every child process and temp dir is gone
// when it returns, whatever happened; a phase that fails leaves its error
// in the report and the later phases still run when they can.
func runAAE(ctx context.Context, cfg Config, stdout, log io.Writer) error {
	r := &aaeRunner{cfg: cfg, p: &procs{}, log: log, rep: &AAEReport{Cfg: cfg, Invocation: shellJoin("go run ./bench", os.Args[1:])}}
	defer r.p.Close()
	if err := checkTools(); err != nil {
		return err
	}
	defer func() { r.c.close() }()
	if err := r.setup(ctx); err != nil {
		return err
	}
	for _, ph := range []struct {
		part, name string
		f          func(context.Context) error
	}{{"1", "target 1", r.target1}, {"2", "target 2", r.target2}, {"3", "target 3", r.target3}, {"engine", "engine benchmark", r.engineBench}} {
		if !cfg.runs(ph.part) {
			continue
		}
		if err := ph.f(ctx); err != nil {
			r.logf("%s failed: %v", ph.name, err)
			r.rep.note("%s failed: %v", ph.name, firstLineOf(err.Error()))
			if ctx.Err() != nil {
				break
			}
		}
	}
	r.rep.Facts.LoadEnd = loadAvg()
	md := r.rep.Markdown()
	fmt.Fprint(stdout, md)
	if cfg.Out != "" {
		if err := os.WriteFile(cfg.Out, []byte(md), 0o644); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("stopped (%v)", context.Cause(ctx))
	}
	return nil
}

func (r *aaeRunner) logf(format string, a ...any) {
	fmt.Fprintf(r.log, "bench %s: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
}

// setup builds ringkv, gathers the machine facts and starts the cluster
// with anti-entropy on.
func (r *aaeRunner) setup(ctx context.Context) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	r.root, r.bin = root, r.cfg.Ringkv
	if r.bin == "" {
		r.logf("building ./cmd/ringkv")
		if r.bin, err = buildRingkv(ctx, r.p, root); err != nil {
			return err
		}
	}
	r.rep.Facts = gatherFacts(ctx, root, r.bin)
	r.logf("starting a 3-node cluster (anti-entropy every %v)", r.cfg.AAEInterval)
	if r.c, err = startAAECluster(ctx, r.p, r.bin, r.cfg.AppendFsync, r.cfg.AAEInterval, r.wantPprof(ctx)); err != nil {
		return err
	}
	r.rep.Command = shellJoin("ringkv", r.c.nodes[0].args)
	return r.c.check(ctx)
}
