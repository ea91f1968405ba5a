from pmkit.cli import main

main()
