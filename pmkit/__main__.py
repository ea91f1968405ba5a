import sys

try:
    from pmkit.app.entry import main
except KeyboardInterrupt:  # Ctrl-C while even the entry loads: exit as pmkit.app.entry does (130)
    sys.exit(130)

if __name__ == "__main__":  # worker processes import this module too
    main()
