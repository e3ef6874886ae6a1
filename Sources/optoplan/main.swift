import OptoPlanCLI

OptoPlanCommand.main()
